import type { TDb } from "@/server/db";
import { logger } from "@/server/logger";
import { processSingleton } from "@/server/process-singleton";

/**
 * A kind of background job: a rolling deploy, or one kind of operation (evacuate a store node, replace
 * one, expire sessions). Each kind keeps its own journal (what a job is, where it stands); the engine
 * below runs jobs in the background, one runner per job per process, and resumes the unfinished ones
 * when the console starts. jobs/registry.ts lists every kind: the only place that knows them all.
 */
export interface TJobKind {
  /** "rollout", or the operation's kind as stored ("store.evacuate-node", …). */
  kind: string;
  /** Ids of jobs of this kind a previous process left unfinished: resumed on start. */
  unfinished(db: TDb): Promise<number[]>;
  /** Runs one job until it ends (or, for a rollout, pauses); its state changes are the kind's to write. */
  run(db: TDb, id: number): Promise<void>;
  /** The runner threw: the kind records it on the job (an operation fails, a rollout pauses). Never throws. */
  crashed(db: TDb, id: number, err: Error): Promise<void>;
}

const runners = processSingleton("job-runners", () => new Map<string, Promise<void>>());
const key = (job: TJobKind, id: number) => `${job.kind}#${id}`;

/** Starts a job's runner in the background unless one runs already in this process. */
export function launchJob(job: TJobKind, db: TDb, id: number): void {
  const k = key(job, id);
  if (runners.has(k)) return;
  const p = job
    .run(db, id)
    .catch(async (err: Error) => {
      logger.error({ job: job.kind, id, err: err.message }, "job runner failed");
      await job.crashed(db, id, err).catch(() => undefined);
    })
    .finally(() => runners.delete(k));
  runners.set(k, p);
}

export function isJobRunning(job: TJobKind, id: number): boolean {
  return runners.has(key(job, id));
}

/** The runner's promise, if one runs in this process (tests await the end of a run). */
export function jobRunner(job: TJobKind, id: number): Promise<void> | undefined {
  return runners.get(key(job, id));
}

/**
 * Called once at start with every kind: jobs left unfinished by the previous process are run again. Each
 * kind's runner is written to be run again from its journal (operations re-check every item against the
 * stores; a rollout re-runs its persisted phase, and pauses on a deploy whose outcome is unknown).
 */
export async function resumeJobs(db: TDb, kinds: readonly TJobKind[]): Promise<Record<string, number>> {
  const resumed: Record<string, number> = {};
  for (const job of kinds) {
    const ids = await job.unfinished(db);
    for (const id of ids) launchJob(job, db, id);
    if (ids.length > 0) resumed[job.kind] = ids.length;
  }
  return resumed;
}
