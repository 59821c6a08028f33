import type { TDb } from "@/server/db";
import { processSingleton } from "@/server/process-singleton";

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
