import type { TDb } from "@/server/db";
import { logger } from "@/server/logger";
import { processSingleton } from "@/server/process-singleton";
import { getOwnership, SINGLE_INSTANCE } from "@/server/cluster-lease/ownership";

/**
 * A kind of background job: a rolling deploy, or one kind of operation (evacuate a store node, replace
 * one, expire sessions). Each kind keeps its own journal (what a job is, where it stands); the engine
 * below runs jobs in the background, one runner per job per process, and resumes the unfinished ones
 * when the console starts. jobs/registry.ts lists every kind: the only place that knows them all.
 */
export interface TJobKind {
  /** "rollout", or the operation's kind as stored ("store.evacuate-node", …). */
  kind: string;
  /**
   * Several instances: the job's lease is "<lease>:<id>" ("rollout:3", "operation:7"; operations of every
   * kind share one id sequence, hence one prefix).
   */
  lease: "rollout" | "operation";
  /** Ids of jobs of this kind a previous process left unfinished: resumed on start. */
  unfinished(db: TDb): Promise<number[]>;
  /** Runs one job until it ends (or, for a rollout, pauses); its state changes are the kind's to write. */
  run(db: TDb, id: number): Promise<void>;
  /** The runner threw: the kind records it on the job (an operation fails, a rollout pauses). Never throws. */
  crashed(db: TDb, id: number, err: Error): Promise<void>;
}

const runners = processSingleton("job-runners", () => new Map<string, Promise<void>>());
const key = (job: TJobKind, id: number) => `${job.kind}#${id}`;

export function jobDuty(job: Pick<TJobKind, "lease">, id: number): string {
  return `${job.lease}:${id}`;
}

/** The job's lease went to another instance (this one was cut off or paused too long): stop, quietly. */
export class JobLeaseLostError extends Error {
  constructor(readonly duty: string) {
    super(`${duty} is now run by another console instance`);
    this.name = "JobLeaseLostError";
  }
}

/**
 * The fencing check a runner makes before each step (a rollout's phase, an operation's next batch): with
 * several instances the database must still name this instance, with the token it started under; else it
 * throws JobLeaseLostError and the instance that took over carries on. One instance: always true, free.
 */
export async function assertJobLease(job: Pick<TJobKind, "lease">, id: number): Promise<void> {
  const ownership = getOwnership();
  if (ownership === SINGLE_INSTANCE) return;
  const duty = jobDuty(job, id);
  if (!(await ownership.stillOwns(duty))) throw new JobLeaseLostError(duty);
}

/** What a fenced write is given: the transaction to write in (Prisma's interactive transaction client). */
export type TJobTx = Parameters<Parameters<TDb["$transaction"]>[0]>[0];

/**
 * A journal write made under the job's lease, not merely after a check of it: with several instances, in
 * one transaction that first locks the lease row naming this instance with its token (FOR SHARE). An
 * instance claiming the lease updates that row, so it waits until the write commits; a write by an
 * instance that lost the lease finds no row, throws JobLeaseLostError and changes nothing. assertJobLease
 * alone left a gap: the lease could move between the check and the write. One instance: the write as is.
 */
export async function fencedJobWrite<T>(
  db: TDb,
  job: Pick<TJobKind, "lease">,
  id: number,
  write: (tx: TJobTx | TDb) => Promise<T>,
): Promise<T> {
  const ownership = getOwnership();
  if (ownership === SINGLE_INSTANCE || !ownership.instanceId) return write(db);
  const duty = jobDuty(job, id);
  const token = ownership.tokenOf(duty);
  if (token === null) throw new JobLeaseLostError(duty);
  return db.$transaction(async (tx) => {
    const held = await tx.$queryRawUnsafe<unknown[]>(
      `SELECT 1 FROM "DutyLease" WHERE duty = $1 AND owner = $2 AND token = $3 AND "expiresAt" > (now() AT TIME ZONE 'UTC') FOR SHARE`,
      duty,
      ownership.instanceId,
      token,
    );
    if (held.length === 0) throw new JobLeaseLostError(duty);
    return write(tx);
  });
}

/**
 * Starts a job's runner in the background unless one runs already in this process. With several
 * instances it first claims the job's lease: a job another live instance runs is left to it.
 */
export function launchJob(job: TJobKind, db: TDb, id: number): void {
  const k = key(job, id);
  if (runners.has(k)) return;
  const ownership = getOwnership();
  const run = () => job.run(db, id);
  const duty = jobDuty(job, id);
  const started = ownership === SINGLE_INSTANCE ? run() : ownership.pin(duty).then((won) => (won ? run() : undefined));
  const p = started
    .catch(async (err: Error) => {
      if (err instanceof JobLeaseLostError) {
        logger.warn({ job: job.kind, id }, "job taken over by another console instance; this runner stops");
        return;
      }
      logger.error({ job: job.kind, id, err: err.message }, "job runner failed");
      await job.crashed(db, id, err).catch(() => undefined);
    })
    .finally(() => {
      runners.delete(k);
      if (ownership !== SINGLE_INSTANCE) void ownership.unpin(duty).catch(() => undefined);
    });
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
    const ids = (await job.unfinished(db)).filter((id) => !runners.has(key(job, id)));
    for (const id of ids) launchJob(job, db, id);
    if (ids.length > 0) resumed[job.kind] = ids.length;
  }
  return resumed;
}

/**
 * Several instances: every `everyMs`, unfinished jobs whose lease is free (their instance died, or the
 * job was never claimed) are claimed and resumed here, the way a restarted console resumes its own.
 */
export function watchUnfinishedJobs(db: TDb, kinds: readonly TJobKind[], everyMs: number): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    resumeJobs(db, kinds)
      .catch((err) => logger.warn({ err: String(err) }, "looking for unfinished jobs failed"))
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
