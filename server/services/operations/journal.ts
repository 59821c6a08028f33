import type { TDb } from "@/server/db";
import { processSingleton } from "@/server/process-singleton";
import { emitEvent } from "@/server/poller/event-bus";

/** Progress of one operation, written after every batch so a restart knows where things stood. */
export interface TProgress {
  total?: number;
  processed?: number;
  changed?: number;
  alreadyOk?: number;
  failedCount?: number;
  message?: string;
}

export async function saveProgress(db: TDb, id: number, p: TProgress): Promise<void> {
  await db.operation.update({ where: { id }, data: p });
}

export async function finishOperation(
  db: TDb,
  id: number,
  state: "done" | "failed",
  message: string,
  report: unknown,
): Promise<void> {
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

/** Runs registered on start: operations a previous console process left running are started again. */
type TRunner = (db: TDb, id: number) => Promise<void>;
const runners = processSingleton("operation-runners", () => new Map<string, TRunner>());

export function registerRunner(kind: string, run: TRunner): void {
  runners.set(kind, run);
}

/** Starts an operation's runner in the background; failures are recorded on the operation, never thrown. */
export function launch(db: TDb, id: number, kind: string): void {
  const run = runners.get(kind);
  if (!run) return;
  void (async () => {
    try {
      await db.operation.update({ where: { id }, data: { state: "running", attempts: { increment: 1 } } });
      await announceOperation(db, id);
      await run(db, id);
    } catch (err) {
      await finishOperation(db, id, "failed", (err as Error).message, { error: (err as Error).message }).catch(
        () => undefined,
      );
    }
  })();
}

/**
 * Called once at start. Every runner is idempotent (it re-checks each item against the stores), so an
 * operation interrupted by a crash or restart is resumed by running it again from the start.
 */
export async function resumeOperations(db: TDb): Promise<number> {
  const open = await db.operation.findMany({ where: { state: { in: ["pending", "running"] } } });
  for (const op of open) {
    await db.operation.update({
      where: { id: op.id },
      data: { message: `resumed after a console restart (attempt ${op.attempts + 1})` },
    });
    launch(db, op.id, op.kind);
  }
  return open.length;
}
