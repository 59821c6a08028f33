import type { TDb } from "@/server/db";
import { emitEvent } from "@/server/poller/event-bus";
import { assertJobLease, type TJobKind } from "@/server/services/jobs/job-engine";

/** Every operation kind's lease prefix (one id sequence for all of them). */
const OPERATION = { lease: "operation" } as const;

/**
 * Progress of one operation, written after every batch so a restart knows where things stood. With several
 * instances each write is preceded by the fencing check, so a runner whose lease went to another
 * instance stops before its next batch.
 */
export interface TProgress {
  total?: number;
  processed?: number;
  changed?: number;
  alreadyOk?: number;
  failedCount?: number;
  message?: string;
}

export async function saveProgress(db: TDb, id: number, p: TProgress): Promise<void> {
  await assertJobLease(OPERATION, id);
  await db.operation.update({ where: { id }, data: p });
}

export async function finishOperation(
  db: TDb,
  id: number,
  state: "done" | "failed",
  message: string,
  report: unknown,
): Promise<void> {
  await assertJobLease(OPERATION, id);
  await db.operation.update({
    where: { id },
    data: { state, message, report: JSON.stringify(report), finishedAt: new Date() },
  });
  await announceOperation(db, id);
}

/** Tells the rest of the process (metrics, alerts) the operation's state as now stored, after any change of it. */
export async function announceOperation(db: TDb, id: number): Promise<void> {
  const op = await db.operation.findUnique({
    where: { id },
    select: { cluster: true, kind: true, target: true, state: true, message: true },
  });
  if (op) emitEvent("operation-changed", { id, ...op });
}

/**
 * An operation kind as a job of the one job engine: unfinished = pending or running; each run marks it
 * running and counts the attempt (a run after the first one says it resumed after a restart); a runner
 * that throws leaves it failed with the error. Every runner is idempotent (it re-checks each item against
 * the stores), so an interrupted operation is resumed by running it again from the start.
 */
export function operationJob(kind: string, run: (db: TDb, id: number) => Promise<void>): TJobKind {
  return {
    kind,
    lease: OPERATION.lease,
    unfinished: async (db) =>
      (
        await db.operation.findMany({
          where: { kind, state: { in: ["pending", "running"] } },
          select: { id: true },
          orderBy: { id: "asc" },
        })
      ).map((o) => o.id),
    run: async (db, id) => {
      const op = await db.operation.update({
        where: { id },
        data: { state: "running", attempts: { increment: 1 } },
      });
      if (op.attempts > 1)
        await db.operation.update({
          where: { id },
          data: { message: `resumed after a console restart (attempt ${op.attempts})` },
        });
      await announceOperation(db, id);
      await run(db, id);
    },
    crashed: (db, id, err) => finishOperation(db, id, "failed", err.message, { error: err.message }),
  };
}
