import type { TDb } from "@/server/db";
import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TObservedMember } from "@/server/adapters/frontends/types";
import { AppError } from "@/server/errors";
import { VERB_FOR_STATE } from "@/server/domain/member-verbs";
import { emitEvent } from "@/server/poller/event-bus";
import { getPoller } from "@/server/poller/poller";
import { recordAudit } from "@/server/services/audit/audit";
import { readBalancer, toTarget } from "@/server/services/frontends/read-frontend";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { createMemberMatcher } from "@/server/services/members/member-identity";
import {
  matches,
  unsupportedReason,
  VERIFY_TIMEOUT_MS,
  type TActionOptions,
  type TFrontendActionResult,
  type TFrontendOutcome,
  type TIntentChange,
} from "@/server/services/members/member-actions";
import { findActiveRollout, guardRolloutMembers } from "@/server/services/rollouts/guard";
import { guardRail } from "@/server/services/members/bulk-impact";
import { resolveMembers, type TCluster } from "@/server/services/members/selection";

/**
 * One verb on many members at once ("drain the 10 members in rack 3"), through the same path as a
 * single action: every frontend in parallel, each change sent with the adapter's own setter and then
 * proven by reading the frontend back. Per frontend the status is read once before and re-read until
 * every member shows the change, so ten members cost one read-back loop, not ten.
 */
export interface TBulkMemberResult {
  member: string;
  /** done: every frontend that routes to it confirmed; partial: some did; failed: none did. */
  overall: "done" | "partial" | "failed";
  frontends: TFrontendActionResult[];
}

export interface TBulkActionResult {
  cluster: string;
  action: string;
  overall: "done" | "partial" | "failed";
  members: TBulkMemberResult[];
  auditId: number;
}

/** Changes in flight at once on one frontend (httpd and HAProxy take them one at a time anyway). */
const PER_FRONTEND_CONCURRENCY = 4;
/** Read-back bound for a large selection: the single-member bound, plus time to re-read a big page. */
const verifyTimeoutMs = (members: number) => VERIFY_TIMEOUT_MS + 10 * members;
const VERIFY_INTERVAL_MS = 200;

type TMember = TCluster["members"][number];
type TFrontend = TCluster["frontends"][number];

export async function applyBulkChange(
  db: TDb,
  clusterName: string,
  memberNames: readonly string[],
  change: TIntentChange,
  opts: TActionOptions,
): Promise<TBulkActionResult> {
  const cluster = await getClusterByName(db, clusterName);
  const selection = resolveMembers(cluster, memberNames);
  const action =
    opts.auditAction ??
    (change.kind === "state" ? `member.bulk.${VERB_FOR_STATE[change.state]}` : "member.bulk.setWeight");
  const who = { principal: opts.principal, actor: opts.actor, ip: opts.ip };
  const overrodeRollout = await guardRollout(db, clusterName, selection, action, opts);

  const frontends = cluster.frontends.filter(
    (f) => f.enabled && (!opts.frontendIds || opts.frontendIds.includes(f.id)),
  );
  if (change.kind === "state" && change.state !== "active" && !opts.force) {
    const refusal = guardRail(cluster, frontends, selection, change.state);
    if (refusal) {
      await recordAudit(db, {
        ...who,
        action,
        cluster: clusterName,
        target: targetText(selection),
        result: "denied",
        details: { reason: refusal, members: selection.map((m) => m.name), change },
      });
      throw new AppError("CONFLICT", `Refused: ${refusal}. Keep a member active there, or force it.`);
    }
  }

  const perFrontend = await Promise.all(frontends.map((f) => applyOnFrontend(f, selection, change)));
  const members: TBulkMemberResult[] = selection.map((m) => {
    const results = perFrontend.map((byMember) => byMember.get(m.id)!);
    return { member: m.name, overall: overallOf(results), frontends: results };
  });
  const overall = members.every((m) => m.overall === "done")
    ? "done"
    : members.every((m) => m.overall === "failed")
      ? "failed"
      : "partial";

  if (opts.recordIntent !== false) {
    // The operator's intent is kept even where a frontend failed: drift then shows where it is not applied.
    await db.member.updateMany({
      where: { id: { in: selection.map((m) => m.id) } },
      data: {
        ...(change.kind === "state" ? { intendedState: change.state } : { intendedWeight: change.weight }),
        intendedAt: new Date(),
        intendedBy: opts.actor ?? opts.principal?.username ?? null,
      },
    });
    emitEvent("intent-changed", { clusterId: cluster.id });
  }
  const auditId = await recordAudit(db, {
    ...who,
    action,
    cluster: clusterName,
    target: targetText(selection),
    result: overall === "done" ? "ok" : overall,
    details: {
      change,
      force: opts.force ?? false,
      members: members.map((m) => ({
        member: m.member,
        overall: m.overall,
        frontends: m.frontends.map((f) => ({ frontend: f.frontend, outcome: f.outcome, message: f.message })),
      })),
      ...(overrodeRollout ? { overrodeRollout } : {}),
    },
  });
  const poller = getPoller();
  if (poller) await Promise.all(frontends.map((f) => poller.pollNow(f.id)));
  return { cluster: clusterName, action, overall, members, auditId };
}

function targetText(selection: readonly TMember[]): string {
  const names = selection.map((m) => m.name);
  return names.length <= 5 ? names.join(", ") : `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`;
}

/** A rollout's members are guarded as for single actions (the first one in the rollout decides). */
async function guardRollout(
  db: TDb,
  clusterName: string,
  selection: readonly TMember[],
  action: string,
  opts: TActionOptions,
): Promise<number | null> {
  const rollout = await findActiveRollout(db, clusterName);
  if (!rollout) return null;
  const inRollout = selection.find((m) => rollout.members.some((r) => r.member === m.name));
  return inRollout ? guardRolloutMembers(db, clusterName, inRollout.name, action, opts) : null;
}

function overallOf(results: readonly TFrontendActionResult[]): "done" | "partial" | "failed" {
  const confirmed = results.filter((r) => r.outcome === "done").length;
  const relevant = results.filter((r) => r.outcome !== "not-routed" && r.outcome !== "unsupported").length;
  return relevant > 0 && confirmed === relevant ? "done" : confirmed > 0 ? "partial" : "failed";
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function applyOnFrontend(
  f: TFrontend,
  selection: readonly TMember[],
  change: TIntentChange,
): Promise<Map<number, TFrontendActionResult>> {
  const started = Date.now();
  const adapter = getFrontendAdapter(f.kind);
  const out = new Map<number, TFrontendActionResult>();
  const put = (m: TMember, outcome: TFrontendOutcome, message: string | null, observed: TObservedMember | null) =>
    out.set(m.id, {
      frontendId: f.id,
      frontend: f.name,
      kind: f.kind,
      outcome,
      message,
      observed: observed ? { adminState: observed.adminState, loadfactor: observed.loadfactor } : null,
      durationMs: Date.now() - started,
    });

  const unsupported = unsupportedReason(adapter, change);
  if (unsupported) {
    for (const m of selection) put(m, "unsupported", unsupported, null);
    return out;
  }
  let balancer;
  try {
    balancer = await readBalancer(f);
  } catch (err) {
    for (const m of selection) put(m, "failed", (err as Error).message, null);
    return out;
  }
  const match = createMemberMatcher(selection);
  const observedOf = new Map<number, TObservedMember>();
  for (const om of balancer.members) {
    const m = match(om);
    if (m && !observedOf.has(m.id)) observedOf.set(m.id, om);
  }
  const sent: TMember[] = [];
  const target = toTarget(f);
  await inPool(selection, PER_FRONTEND_CONCURRENCY, async (m) => {
    const om = observedOf.get(m.id);
    if (!om) return void put(m, "not-routed", `${f.name} does not route to ${m.name}`, null);
    try {
      if (change.kind === "state") await adapter.setAdminState(target, balancer, om.key, change.state);
      else await adapter.setWeight(target, balancer, om.key, change.weight);
      sent.push(m);
    } catch (err) {
      put(m, "failed", (err as Error).message, om);
    }
  });

  const deadline = Date.now() + verifyTimeoutMs(sent.length);
  let waiting = sent;
  let last = new Map<string, TObservedMember>();
  let lastError: string | null = null;
  while (waiting.length > 0) {
    try {
      last = liveIndex((await readBalancer(f)).members);
      lastError = null;
      waiting = waiting.filter((m) => {
        const now = last.get(observedOf.get(m.id)!.key);
        if (now && matches(adapter, change, now)) {
          put(m, "done", null, now);
          return false;
        }
        return true;
      });
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (waiting.length === 0 || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, VERIFY_INTERVAL_MS));
  }
  for (const m of waiting) {
    const now = last.get(observedOf.get(m.id)!.key);
    const saw = now ? `it still shows ${now.adminState}, weight ${now.loadfactor}` : "the member is no longer listed";
    put(
      m,
      "not-verified",
      lastError ?? `${f.name} accepted the request but ${saw} after ${verifyTimeoutMs(sent.length) / 1000} s`,
      now ?? null,
    );
  }
  return out;
}

function liveIndex(members: readonly TObservedMember[]): Map<string, TObservedMember> {
  return new Map(members.map((m) => [m.key, m]));
}
