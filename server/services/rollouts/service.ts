import type { TDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { auditActor, recordAudit, type TWho } from "@/server/services/audit/audit";
import { assertMaySetPrivileged } from "@/server/services/audit/privileged";
import { privilegedChanges } from "@/server/domain/privileged-settings";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { storeConfigs } from "@/server/services/sessions/stores";
import {
  announceRollout,
  endRollout,
  finishStep,
  nextPhase,
  setMemberPhase,
  startStep,
} from "@/server/services/rollouts/rollout-journal";
import { findActiveRollout } from "@/server/services/rollouts/guard";
import { isRunnerActive, launchRollout } from "@/server/services/rollouts/engine";
import { abortMembers } from "@/server/services/rollouts/abort";
import { toRolloutView } from "@/server/services/rollouts/view";
import {
  ROLLOUT_PRIVILEGED_SETTINGS,
  ZRolloutSettings,
  type TPhase,
  type TRolloutSettingsInput,
  type TRolloutView,
} from "@/server/services/rollouts/schema";

export type { TWho };

const actor = auditActor;

/**
 * Starts a rollout. Deploy commands run as the console's own OS user and webhooks send to an address
 * (with whatever token it carries), so setting either is for admins; operators may roll with a manual
 * deploy: an operator token must not become a shell (ROLLOUT_PRIVILEGED_SETTINGS).
 */
export async function startRollout(
  db: TDb,
  cluster: string,
  input: TRolloutSettingsInput,
  who: TWho,
): Promise<TRolloutView> {
  const settings = ZRolloutSettings.parse(input);
  const c = await getClusterByName(db, cluster);
  const privileged = privilegedChanges(ROLLOUT_PRIVILEGED_SETTINGS, null, settings);
  try {
    assertMaySetPrivileged(who, privileged);
  } catch (err) {
    await recordAudit(db, {
      ...actor(who),
      action: "rollout.start",
      cluster,
      result: "denied",
      details: { reason: "admin-only settings", settings: privileged.map((p) => p.label) },
    });
    throw err;
  }
  const existing = await findActiveRollout(db, cluster);
  if (existing) throw conflict(existing.id, cluster, existing.state);
  const names = settings.members ?? c.members.map((m) => m.name);
  const unknown = names.filter((n) => !c.members.some((m) => m.name === n));
  if (unknown.length)
    throw new AppError(
      "NOT_FOUND",
      `No member ${unknown.map((n) => `"${n}"`).join(", ")} in cluster "${cluster}" (members: ${c.members.map((m) => m.name).join(", ")})`,
    );
  if (new Set(names).size !== names.length)
    throw new AppError("INVALID_INPUT", "A member is listed twice in the rollout order");
  if (settings.maxUnavailable >= c.members.length) {
    throw new AppError(
      "INVALID_INPUT",
      `maxUnavailable ${settings.maxUnavailable} would take every member of ${cluster} (${c.members.length}) out of rotation at once; use at most ${c.members.length - 1}`,
    );
  }
  for (const n of names) {
    const m = c.members.find((x) => x.name === n)!;
    if (m.intendedState !== "active")
      throw new AppError(
        "INVALID_INPUT",
        `${n} is ${m.intendedState}, not active: enable it first or leave it out of the rollout`,
      );
    if (m.httpPort === null)
      throw new AppError(
        "INVALID_INPUT",
        `${n} has no HTTP port in the inventory: the health gate asks the member directly on it`,
      );
  }
  if (settings.wait.strategy !== "inflight" && (await storeConfigs(db, cluster)).length === 0) {
    throw new AppError(
      "INVALID_INPUT",
      `Cluster ${cluster} has no session stores, so remaining sessions cannot be counted: use the "inflight" wait strategy, or add its stores to the inventory`,
    );
  }
  let id: number;
  try {
    const row = await db.rollout.create({
      data: {
        cluster,
        activeCluster: cluster,
        state: "running",
        settings: JSON.stringify({ ...settings, members: names }),
        startedBy: who.principal?.username ?? null,
        members: { create: names.map((member, position) => ({ member, position })) },
      },
    });
    id = row.id;
  } catch (err) {
    // The unique activeCluster: another start won the race between the check above and this insert.
    if ((err as { code?: string }).code === "P2002") {
      const other = await findActiveRollout(db, cluster);
      throw conflict(other?.id ?? 0, cluster, other?.state ?? "running");
    }
    throw err;
  }
  await recordAudit(db, {
    ...actor(who),
    action: "rollout.start",
    cluster,
    target: `rollout #${id}`,
    result: "ok",
    details: { rolloutId: id, settings: { ...settings, members: names } },
  });
  await announceRollout(db, id);
  launchRollout(db, id);
  return getRollout(db, cluster, id);
}

function conflict(id: number, cluster: string, state: string): AppError {
  return new AppError(
    "CONFLICT",
    `Rollout #${id} is already ${state} on ${cluster}: one rollout per cluster at a time. Finish or abort it first.`,
    { rolloutId: id },
  );
}

async function load(db: TDb, cluster: string, id: number) {
  const r = await db.rollout.findUnique({
    where: { id },
    include: { members: { orderBy: { position: "asc" } }, steps: { orderBy: { id: "asc" } } },
  });
  if (!r || r.cluster !== cluster) throw new AppError("NOT_FOUND", `No rollout #${id} in cluster "${cluster}"`);
  return r;
}

export async function getRollout(db: TDb, cluster: string, id: number): Promise<TRolloutView> {
  return toRolloutView(await load(db, cluster, id));
}

export async function listRollouts(db: TDb, cluster: string, limit = 20): Promise<TRolloutView[]> {
  await getClusterByName(db, cluster);
  const rows = await db.rollout.findMany({
    where: { cluster },
    orderBy: { id: "desc" },
    take: limit,
    include: { members: { orderBy: { position: "asc" } }, steps: { orderBy: { id: "asc" } } },
  });
  return rows.map(toRolloutView);
}

/** A pause is taken at the runner's next check (between polls; a running deploy command finishes first). */
export async function requestPause(db: TDb, cluster: string, id: number, who: TWho): Promise<TRolloutView> {
  const r = await load(db, cluster, id);
  if (r.state !== "running")
    throw new AppError("CONFLICT", `Rollout #${id} is ${r.state}: only a running rollout can be paused`);
  await db.rollout.update({ where: { id }, data: { request: "pause" } });
  await recordAudit(db, { ...actor(who), action: "rollout.pause", cluster, target: `rollout #${id}`, result: "ok" });
  if (!isRunnerActive(id)) launchRollout(db, id); // no runner here (e.g. it died): one that starts acts on the request at once
  return getRollout(db, cluster, id);
}

/** Runs the current phase of each member in flight again (a failed deploy is re-run). */
export async function resumeRollout(db: TDb, cluster: string, id: number, who: TWho): Promise<TRolloutView> {
  const r = await load(db, cluster, id);
  if (r.state !== "paused")
    throw new AppError("CONFLICT", `Rollout #${id} is ${r.state}: only a paused rollout can be resumed`);
  await db.rollout.update({
    where: { id },
    data: { state: "running", request: null, message: `resumed by ${who.principal?.username ?? "unknown"}` },
  });
  await announceRollout(db, id);
  await recordAudit(db, { ...actor(who), action: "rollout.resume", cluster, target: `rollout #${id}`, result: "ok" });
  launchRollout(db, id);
  return getRollout(db, cluster, id);
}

/** Paused: aborted here and now. Running: the runner aborts at its next check (it ends a deploy command). */
export async function requestAbort(db: TDb, cluster: string, id: number, who: TWho): Promise<TRolloutView> {
  const r = await load(db, cluster, id);
  if (r.state !== "running" && r.state !== "paused")
    throw new AppError("CONFLICT", `Rollout #${id} is already ${r.state}`);
  await recordAudit(db, {
    ...actor(who),
    action: "rollout.abort",
    cluster,
    target: `rollout #${id}`,
    result: "ok",
    details: { state: r.state },
  });
  if (r.state === "paused" && !isRunnerActive(id)) {
    const summary = await abortMembers({
      db,
      rolloutId: id,
      cluster,
      settings: ZRolloutSettings.parse(JSON.parse(r.settings)),
      who: {
        principal: null,
        actor: `rollout #${id} (abort by ${who.principal?.username ?? "unknown"})`,
        ip: who.ip,
        rolloutId: id,
      },
    });
    await endRollout(db, id, "aborted", summary);
  } else {
    await db.rollout.update({ where: { id }, data: { request: "abort" } });
    if (!isRunnerActive(id)) launchRollout(db, id);
  }
  return getRollout(db, cluster, id);
}

/** The phases "continue" can end on an operator's word: never the health gate or the ramp. */
const CONTINUABLE: TPhase[] = ["wait", "deploy"];

/**
 * "Continue": the operator says the blocking step is done. Running: ends a wait or a manual deploy now.
 * Paused on a wait (timed out) or a deploy (failed, interrupted): counts it as done and resumes from the
 * next phase; the health gate still checks the member before it takes traffic.
 */
export async function continueRollout(db: TDb, cluster: string, id: number, who: TWho): Promise<TRolloutView> {
  const r = await load(db, cluster, id);
  const manual = JSON.parse(r.settings).deploy?.kind === "manual";
  // While running, only a wait or a manual deploy listens for "continue"; a deploy command is not cut short.
  const blocked = r.members.filter(
    (m) => CONTINUABLE.includes(m.phase as TPhase) && (r.state === "paused" || m.phase === "wait" || manual),
  );
  if ((r.state !== "running" && r.state !== "paused") || blocked.length === 0) {
    throw new AppError("CONFLICT", `Rollout #${id} (${r.state}) has no wait or deploy step to continue`);
  }
  await recordAudit(db, {
    ...actor(who),
    action: "rollout.continue",
    cluster,
    target: `rollout #${id}`,
    result: "ok",
    details: { members: blocked.map((m) => `${m.member}:${m.phase}`), state: r.state },
  });
  if (r.state === "running") {
    await db.rollout.update({ where: { id }, data: { request: "continue" } });
    return getRollout(db, cluster, id);
  }
  for (const m of blocked) {
    const stepId = await startStep(db, id, m.member, m.phase);
    await finishStep(db, stepId, "done", `counted as done by ${who.principal?.username ?? "unknown"} (continue)`);
    await setMemberPhase(db, id, m.member, { phase: nextPhase(m.phase as TPhase), state: "running", message: null });
  }
  await db.rollout.update({
    where: { id },
    data: { state: "running", request: null, message: `continued by ${who.principal?.username ?? "unknown"}` },
  });
  await announceRollout(db, id);
  launchRollout(db, id);
  return getRollout(db, cluster, id);
}
