import { emitEvent } from "@/server/poller/event-bus";
import type { TDb } from "@/server/db";
import { discardBody } from "@/server/adapters/read-limited";
import type { RolloutMember } from "@/generated/prisma/client";
import { getFrontendAdapter } from "@/server/adapters/registry";
import {
  applyMemberChange,
  type TActionOptions,
  type TMemberActionResult,
  type TMemberChange,
} from "@/server/services/members/member-actions";
import { checkSafeToStop } from "@/server/services/sessions/safe-to-stop";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { consumeRequest, readRequest, updateStep, type TRequest } from "@/server/services/rollouts/rollout-journal";
import { describeReadings, readMemberEverywhere, type TMemberReading } from "@/server/services/rollouts/frontends";
import { appendSample, type TSample } from "@/server/services/rollouts/predict";
import { rampWeights } from "@/server/services/rollouts/ramp";
import { boundOutput, callDeployWebhook, runDeployCommand } from "@/server/services/rollouts/deploy";
import type { TPhase, TRolloutSettings } from "@/server/services/rollouts/schema";

export interface TRunCtx {
  db: TDb;
  rolloutId: number;
  cluster: string;
  settings: TRolloutSettings;
  /** Options for the rollout's own member changes: audited as the rollout, past the rollout guard. */
  who: TActionOptions;
}

export type TPhaseOutcome =
  | { kind: "next"; message: string; result?: unknown }
  /** stepState failed: something went wrong; interrupted: an operator's pause. */
  | { kind: "pause"; reason: string; stepState: "failed" | "interrupted"; result?: unknown }
  | { kind: "abort"; result?: unknown };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** In-flight requests get this long to finish after a stop, before the deploy may end the process. */
const STOP_INFLIGHT_TIMEOUT_MS = 30_000;
/**
 * After a stop, how long requests already sent to the member get to finish on frontends that cannot
 * count them (nginx: after `down` and a reload, old workers still finish theirs, unseen). Without it the
 * deploy ended the Tomcat under such a request and its user got a cut-off answer (the rollout test saw
 * it about one run in two). Longer requests need the deploy's own grace period (README "Known limits").
 */
export const STOP_SETTLE_MS = 5_000;
/** The member's own health URL must answer this many times in a row. */
const HEALTH_PASSES = 2;

async function memberOf(ctx: TRunCtx, name: string) {
  const cluster = await getClusterByName(ctx.db, ctx.cluster);
  const member = cluster.members.find((m) => m.name === name);
  if (!member) throw new Error(`${name} is no longer in cluster ${ctx.cluster}'s inventory`);
  return { cluster, member };
}

/**
 * Operator requests, looked at between polls. "continue" is taken only where a phase can end early on
 * an operator's word (wait, manual deploy); elsewhere it stays for the phase it is meant for.
 */
async function takeRequest(ctx: TRunCtx, canContinue: boolean): Promise<TRequest | null> {
  const r = await readRequest(ctx.db, ctx.rolloutId);
  if (r === "abort") return "abort"; // consumed by the abort itself
  if (r === "pause" || (r === "continue" && canContinue))
    return (await consumeRequest(ctx.db, ctx.rolloutId, r)) ? r : null;
  return null;
}

const paused = (): TPhaseOutcome => ({ kind: "pause", reason: "paused by an operator", stepState: "interrupted" });

function summarize(r: TMemberActionResult): string {
  return r.frontends.map((f) => `${f.frontend}: ${f.outcome}${f.message ? ` (${f.message})` : ""}`).join("; ");
}

async function change(
  ctx: TRunCtx,
  member: string,
  c: TMemberChange,
  extra: Partial<TActionOptions> = {},
): Promise<TMemberActionResult> {
  return applyMemberChange(ctx.db, ctx.cluster, member, c, { ...ctx.who, ...extra });
}

/** Before the first change: every frontend's weight for the member, restored at the end of the ramp. */
export async function snapshotWeights(
  ctx: TRunCtx,
  m: RolloutMember,
): Promise<{ weights: Record<string, number>; intendedWeight: number | null } | string> {
  const { cluster, member } = await memberOf(ctx, m.member);
  const readings = await readMemberEverywhere(cluster, member);
  const unreadable = readings.filter((r) => r.error);
  if (unreadable.length > 0)
    return `cannot read ${unreadable.map((r) => `${r.frontend} (${r.error})`).join(", ")} before changing ${m.member}`;
  const weights: Record<string, number> = {};
  for (const r of readings) if (r.observed) weights[String(r.frontendId)] = r.observed.loadfactor;
  return { weights, intendedWeight: member.intendedWeight };
}

async function drain(ctx: TRunCtx, m: RolloutMember): Promise<TPhaseOutcome> {
  const r = await change(ctx, m.member, { kind: "state", state: "draining" });
  if (r.overall !== "done")
    return {
      kind: "pause",
      reason: `drain of ${m.member} not confirmed everywhere: ${summarize(r)}`,
      stepState: "failed",
      result: r,
    };
  return { kind: "next", message: `draining on every frontend (${summarize(r)})`, result: r };
}

/** How much is left before the member may stop, per strategy; null remaining = could not be measured now. */
async function remaining(
  ctx: TRunCtx,
  name: string,
  listedAfter: number,
): Promise<{ remaining: number | null; done: boolean; note: string }> {
  const strategy = ctx.settings.wait.strategy;
  if (strategy === "inflight") {
    const { cluster, member } = await memberOf(ctx, name);
    const rs = await readMemberEverywhere(cluster, member);
    const bad = rs.filter((r) => r.error);
    const busy = rs.reduce((n, r) => n + (r.observed?.busy ?? 0), 0);
    if (bad.length > 0)
      return { remaining: null, done: false, note: `cannot read ${bad.map((r) => r.frontend).join(", ")}` };
    return { remaining: busy, done: busy === 0, note: `${busy} request(s) in flight` };
  }
  // From the shared session index, counted only once a scan has started since the wait began (the drain
  // was already in place then, so no new session can be missing from it).
  const check = await checkSafeToStop(ctx.db, ctx.cluster, name, { listedAfter });
  if (check.verdict === "unknown") return { remaining: null, done: false, note: check.summary };
  if (strategy === "sessions")
    return {
      remaining: check.total,
      done: check.total === 0,
      note: `${check.total} session(s) routed to ${name} still exist`,
    };
  const unsafe = check.total - check.safe;
  return { remaining: unsafe, done: check.verdict === "safe", note: check.summary };
}

async function wait(ctx: TRunCtx, m: RolloutMember, stepId: number): Promise<TPhaseOutcome> {
  const { strategy, timeoutSec, onTimeout } = ctx.settings.wait;
  const started = Date.now();
  let samples: TSample[] = [];
  let note = "";
  // The cluster's stores are scanned while the rollout waits on them, whoever else looks.
  const release = strategy === "inflight" ? () => undefined : await sessionScans().hold(ctx.db, ctx.cluster);
  try {
    return await waitLoop();
  } finally {
    release();
  }
  async function waitLoop(): Promise<TPhaseOutcome> {
    for (;;) {
      const req = await takeRequest(ctx, true);
      if (req === "abort") return { kind: "abort" };
      if (req === "pause") return paused();
      if (req === "continue")
        return { kind: "next", message: `ended by an operator (continue) with: ${note || "nothing measured yet"}` };
      const r = await remaining(ctx, m.member, started).catch((err: Error) => ({
        remaining: null,
        done: false,
        note: err.message,
      }));
      note = r.note;
      if (r.remaining !== null) samples = appendSample(samples, [Date.now(), r.remaining]);
      await updateStep(ctx.db, stepId, { message: `${strategy}: ${r.note}`, samples });
      if (r.done) return { kind: "next", message: `${strategy}: ${r.note}` };
      if (Date.now() - started >= timeoutSec * 1000) {
        const what = `waited ${timeoutSec} s (${strategy}): ${r.note}`;
        if (onTimeout === "proceed") return { kind: "next", message: `${what}; proceeding as configured` };
        return {
          kind: "pause",
          reason: `${m.member}: ${what}. Continue to proceed anyway, resume to wait again, or abort.`,
          stepState: "failed",
        };
      }
      await sleep(ctx.settings.pollMs);
    }
  }
}

async function stop(ctx: TRunCtx, m: RolloutMember, stepId: number): Promise<TPhaseOutcome> {
  const r = await change(ctx, m.member, { kind: "state", state: "stopped" });
  if (r.overall !== "done")
    return {
      kind: "pause",
      reason: `stop of ${m.member} not confirmed everywhere: ${summarize(r)}`,
      stepState: "failed",
      result: r,
    };
  // Requests already inside the member finish before the deploy may end its process.
  const { cluster, member } = await memberOf(ctx, m.member);
  const deadline = Date.now() + STOP_INFLIGHT_TIMEOUT_MS;
  for (;;) {
    const rs = await readMemberEverywhere(cluster, member);
    const busy = rs.reduce((n, x) => n + (x.observed?.busy ?? 0), 0);
    if (busy === 0 && rs.every((x) => !x.error)) {
      const blind = cluster.frontends.filter((f) => !getFrontendAdapter(f.kind).capabilities.countsInFlight);
      if (blind.length > 0) {
        await updateStep(ctx.db, stepId, {
          message: `stopped; ${blind.map((f) => f.name).join(", ")} cannot count requests in flight: ${STOP_SETTLE_MS / 1000} s for them to finish`,
        });
        await sleep(STOP_SETTLE_MS);
      }
      return {
        kind: "next",
        message: `stopped on every frontend, nothing in flight (${summarize(r)})`,
        result: { action: r, frontends: describeReadings(rs) },
      };
    }
    if (Date.now() > deadline)
      return {
        kind: "pause",
        reason: `${m.member} is stopped but ${busy} request(s) are still in flight after ${STOP_INFLIGHT_TIMEOUT_MS / 1000} s`,
        stepState: "failed",
        result: { action: r, frontends: describeReadings(rs) },
      };
    await updateStep(ctx.db, stepId, { message: `stopped; ${busy} request(s) still in flight` });
    await sleep(Math.min(ctx.settings.pollMs, 500));
  }
}

async function deploy(ctx: TRunCtx, m: RolloutMember, stepId: number): Promise<TPhaseOutcome> {
  const d = ctx.settings.deploy;
  const { member } = await memberOf(ctx, m.member);
  const target = {
    rolloutId: ctx.rolloutId,
    cluster: ctx.cluster,
    member: member.name,
    host: member.host,
    route: member.route,
    httpPort: member.httpPort,
    ajpPort: member.ajpPort,
  };
  if (d.kind === "manual") {
    await updateStep(ctx.db, stepId, { message: `waiting for an operator to deploy ${m.member} and press continue` });
    for (;;) {
      const req = await takeRequest(ctx, true);
      if (req === "abort") return { kind: "abort" };
      if (req === "pause") return paused();
      if (req === "continue") return { kind: "next", message: "an operator pressed continue" };
      await sleep(ctx.settings.pollMs);
    }
  }
  if (d.kind === "webhook") {
    const o = await callDeployWebhook(d, target);
    await updateStep(ctx.db, stepId, { output: boundOutput(o.output) });
    return o.ok
      ? { kind: "next", message: o.message }
      : {
          kind: "pause",
          reason: `deploy of ${m.member} failed: ${o.message}; it stays out of rotation. Resume runs it again, continue skips it.`,
          stepState: "failed",
        };
  }
  // A pause waits for the command to end (stopping a deploy half-way would leave the member in an unknown
  // state); an abort ends it, and the member is then left stopped (abort.ts).
  let aborted = false;
  const o = await runDeployCommand(d, target, {
    onOutput: (output) => updateStep(ctx.db, stepId, { output }),
    shouldKill: async () => (aborted = (await readRequest(ctx.db, ctx.rolloutId)) === "abort"),
  });
  await updateStep(ctx.db, stepId, { output: o.output });
  if (aborted) return { kind: "abort", result: { message: o.message } };
  return o.ok
    ? { kind: "next", message: o.message }
    : {
        kind: "pause",
        reason: `deploy of ${m.member} failed: ${o.message}; it stays out of rotation. Resume runs it again, continue skips it.`,
        stepState: "failed",
      };
}

async function probe(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000), redirect: "manual" });
    await discardBody(res); // only the status matters: a probe never buffers what a member sends
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return e.name === "TimeoutError" ? "no answer within 3 s" : (e.cause?.code ?? e.message);
  }
}

/**
 * The member's own URL (its HTTP connector, not a balancer) must answer twice in a row, and no frontend
 * may show it failing. A frontend notices health only through its own traffic: a member stopped there
 * before its process went down was never seen failing, so frontends show it healthy; one that did see it
 * fail keeps "failing" until it retries, and the gate waits (bounded) rather than enable it there.
 */
async function health(ctx: TRunCtx, m: RolloutMember, stepId: number): Promise<TPhaseOutcome> {
  const { cluster, member } = await memberOf(ctx, m.member);
  if (member.httpPort === null)
    return {
      kind: "pause",
      reason: `${m.member} has no HTTP port in the inventory: the health gate cannot ask it directly`,
      stepState: "failed",
    };
  const url = `http://${member.host}:${member.httpPort}${ctx.settings.health.path}`;
  const started = Date.now();
  let passes = 0;
  for (;;) {
    const req = await takeRequest(ctx, false);
    if (req === "abort") return { kind: "abort" };
    if (req === "pause") return paused();
    const urlProblem = await probe(url);
    const rs = await readMemberEverywhere(cluster, member);
    const frontendProblems = rs
      .filter((r) => r.error || (r.observed && r.observed.health === "failing"))
      .map((r) => `${r.frontend}: ${r.error ?? r.observed!.health}`);
    const result = { url, urlProblem, frontends: describeReadings(rs) };
    passes = !urlProblem && frontendProblems.length === 0 ? passes + 1 : 0;
    const message = urlProblem
      ? `${url}: ${urlProblem}`
      : frontendProblems.length
        ? `frontends: ${frontendProblems.join("; ")}`
        : `${url} answers; every frontend sees it healthy (${passes}/${HEALTH_PASSES})`;
    await updateStep(ctx.db, stepId, { message, result });
    if (passes >= HEALTH_PASSES) return { kind: "next", message, result };
    if (Date.now() - started >= ctx.settings.health.timeoutSec * 1000) {
      return {
        kind: "pause",
        reason: `${m.member} failed the health gate for ${ctx.settings.health.timeoutSec} s (${message}); it stays out of rotation`,
        stepState: "failed",
        result,
      };
    }
    await sleep(Math.min(ctx.settings.pollMs, 1000));
  }
}

/**
 * Applies per-frontend weights: one change per distinct weight, to the frontends that get it. Not
 * recorded as intent: the ramp and abort restore the member's own intended weight themselves.
 */
export async function applyWeights(
  ctx: TRunCtx,
  name: string,
  byFrontend: Map<number, number>,
  auditAction = "rollout.rampWeight",
): Promise<TMemberActionResult[]> {
  const groups = new Map<number, number[]>();
  for (const [fid, w] of byFrontend) groups.set(w, [...(groups.get(w) ?? []), fid]);
  const out: TMemberActionResult[] = [];
  for (const [w, ids] of groups)
    out.push(
      await change(ctx, name, { kind: "weight", weight: w }, { frontendIds: ids, recordIntent: false, auditAction }),
    );
  return out;
}

/**
 * Enable with a weight ramp: the first step's weight is set while still stopped, then the member is
 * enabled, and each step dwells while health and error counters are watched. Errors or a failing health
 * stop the member again on every frontend and pause. The member's intended weight is cleared during the
 * ramp (drift and auto re-apply then leave the ramp alone) and restored at the end.
 */
async function ramp(ctx: TRunCtx, m: RolloutMember, stepId: number): Promise<TPhaseOutcome> {
  const { cluster, member } = await memberOf(ctx, m.member);
  const original = JSON.parse(m.originalWeights ?? "{}") as Record<string, number>;
  const { percents, stepSec } = ctx.settings.ramp;
  const plan = new Map<number, number[]>();
  for (const f of cluster.frontends) {
    const w = original[String(f.id)];
    if (w !== undefined) plan.set(f.id, rampWeights(w, percents, getFrontendAdapter(f.kind).capabilities.weight));
  }
  const log: unknown[] = [];
  await ctx.db.member.update({ where: { id: member.id }, data: { intendedWeight: null } });
  emitEvent("intent-changed", { clusterId: cluster.id });
  for (let i = 0; i < percents.length; i++) {
    const weights = new Map([...plan].map(([fid, ws]) => [fid, ws[i]!]));
    const set = await applyWeights(ctx, m.member, weights);
    log.push({ percent: percents[i], weights: Object.fromEntries(weights), results: set });
    const bad = set.filter((r) => r.overall !== "done");
    if (bad.length)
      return {
        kind: "pause",
        reason: `weight ${percents[i]}% for ${m.member} not confirmed: ${bad.map(summarize).join("; ")}`,
        stepState: "failed",
        result: log,
      };
    if (i === 0) {
      const en = await change(ctx, m.member, { kind: "state", state: "active" });
      log.push({ enable: en });
      if (en.overall !== "done")
        return {
          kind: "pause",
          reason: `enable of ${m.member} not confirmed everywhere: ${summarize(en)}`,
          stepState: "failed",
          result: log,
        };
    }
    await updateStep(ctx.db, stepId, {
      message: `enabled at ${percents[i]}% of its weight; watching errors for ${stepSec} s`,
      result: log,
    });
    const watched = await watchErrors(ctx, cluster, member, stepSec);
    if (watched === "abort") return { kind: "abort", result: log };
    if (watched === "pause") return paused();
    if (watched) {
      const back = await change(ctx, m.member, { kind: "state", state: "stopped" });
      log.push({ stoppedAgain: back });
      return {
        kind: "pause",
        reason: `${m.member} at ${percents[i]}% of its weight: ${watched}. It was stopped again on every frontend (${back.overall}).`,
        stepState: "failed",
        result: log,
      };
    }
  }
  await ctx.db.member.update({ where: { id: member.id }, data: { intendedWeight: m.originalIntendedWeight } });
  emitEvent("intent-changed", { clusterId: cluster.id });
  return {
    kind: "next",
    message: `active at its original weight on every frontend (${[...plan].map(([fid, ws]) => `${cluster.frontends.find((f) => f.id === fid)?.name}: ${ws.join(" → ")}`).join("; ")})`,
    result: log,
  };
}

/** Dwell `sec` seconds; returns a problem description, a request, or null when all stayed well. */
async function watchErrors(
  ctx: TRunCtx,
  cluster: Awaited<ReturnType<typeof memberOf>>["cluster"],
  member: Awaited<ReturnType<typeof memberOf>>["member"],
  sec: number,
): Promise<string | "abort" | "pause" | null> {
  const base = new Map<number, TMemberReading>(
    (await readMemberEverywhere(cluster, member)).map((r) => [r.frontendId, r]),
  );
  const end = Date.now() + sec * 1000;
  while (Date.now() < end) {
    await sleep(Math.min(ctx.settings.pollMs, Math.max(0, end - Date.now())));
    const req = await takeRequest(ctx, false);
    if (req) return req === "continue" ? null : req;
    for (const r of await readMemberEverywhere(cluster, member)) {
      if (r.error || !r.observed) continue; // a frontend blip is not the member's fault
      if (r.observed.health === "failing") return `${r.frontend} sees it failing`;
      const before = base.get(r.frontendId)?.observed?.errors;
      if (before != null && r.observed.errors != null && r.observed.errors > before)
        return `${r.frontend} counted ${r.observed.errors - before} error(s)`;
    }
  }
  return null;
}

export const PHASE_RUNNERS: Partial<
  Record<TPhase, (ctx: TRunCtx, m: RolloutMember, stepId: number) => Promise<TPhaseOutcome>>
> = { drain, wait, stop, deploy, health, ramp };
