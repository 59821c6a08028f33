import type { TDb } from "@/server/db";
import { emitEvent } from "@/server/poller/event-bus";
import { PHASES, ZRolloutSettings, type TPhase, type TRolloutSettings } from "@/server/services/rollouts/schema";
import type { TJobTx } from "@/server/services/jobs/job-engine";

/** The database, or the transaction of a write fenced by the rollout's lease (fencedJobWrite). */
type TWriter = TDb | TJobTx;

/**
 * The rollout's persisted state, written before each action (so a restart knows where it stood) and
 * after it (so the timeline says what happened).
 */
export type TRequest = "pause" | "abort" | "continue";

export function parseSettings(json: string): TRolloutSettings {
  return ZRolloutSettings.parse(JSON.parse(json));
}

export function nextPhase(p: TPhase): TPhase {
  return PHASES[Math.min(PHASES.indexOf(p) + 1, PHASES.length - 1)]!;
}

export async function startStep(
  db: TWriter,
  rolloutId: number,
  member: string,
  phase: string,
  message: string | null = null,
): Promise<number> {
  return (await db.rolloutStep.create({ data: { rolloutId, member, phase, state: "running", message } })).id;
}

export async function updateStep(
  db: TDb,
  id: number,
  data: { message?: string | null; result?: unknown; samples?: unknown; output?: string },
): Promise<void> {
  await db.rolloutStep.update({
    where: { id },
    data: {
      ...(data.message !== undefined ? { message: data.message } : {}),
      ...(data.result !== undefined ? { result: JSON.stringify(data.result) } : {}),
      ...(data.samples !== undefined ? { samples: JSON.stringify(data.samples) } : {}),
      ...(data.output !== undefined ? { output: data.output } : {}),
    },
  });
}

export async function finishStep(
  db: TWriter,
  id: number,
  state: "done" | "failed" | "interrupted" | "aborted",
  message: string | null,
  result?: unknown,
): Promise<void> {
  await db.rolloutStep.update({
    where: { id },
    data: {
      state,
      message,
      finishedAt: new Date(),
      ...(result !== undefined ? { result: JSON.stringify(result) } : {}),
    },
  });
}

export async function setMemberPhase(
  db: TWriter,
  rolloutId: number,
  member: string,
  data: {
    phase?: TPhase;
    state?: string;
    message?: string | null;
    originalWeights?: string;
    originalIntendedWeight?: number | null;
  },
): Promise<void> {
  await db.rolloutMember.update({ where: { rolloutId_member: { rolloutId, member } }, data });
}

export async function readRequest(db: TDb, id: number): Promise<TRequest | null> {
  const r = await db.rollout.findUniqueOrThrow({ where: { id }, select: { request: true } });
  return (r.request as TRequest | null) ?? null;
}

/** Clears a request once acted on, only if it is still the same one (another may have replaced it). */
export async function consumeRequest(db: TDb, id: number, request: TRequest): Promise<boolean> {
  return (await db.rollout.updateMany({ where: { id, request }, data: { request: null } })).count === 1;
}

/** Tells the rest of the process (metrics, alerts) the rollout's state as now stored, after any change of it. */
export async function announceRollout(db: TDb, id: number): Promise<void> {
  const r = await db.rollout.findUnique({ where: { id }, select: { cluster: true, state: true, message: true } });
  if (r) emitEvent("rollout-changed", { id, ...r });
}

export async function pauseRollout(db: TDb, id: number, message: string): Promise<void> {
  await db.rollout.updateMany({ where: { id, state: "running" }, data: { state: "paused", message, request: null } });
  await announceRollout(db, id);
}

/** done / aborted: activeCluster goes back to null, which frees the cluster for the next rollout. */
export async function endRollout(db: TDb, id: number, state: "done" | "aborted", message: string): Promise<void> {
  await db.rollout.update({
    where: { id },
    data: { state, message, request: null, activeCluster: null, finishedAt: new Date() },
  });
  await announceRollout(db, id);
}
