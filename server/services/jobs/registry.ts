import type { TDb } from "@/server/db";
import { resumeJobs, watchUnfinishedJobs, type TJobKind } from "@/server/services/jobs/job-engine";
import { rolloutJob } from "@/server/services/rollouts/engine";
import { evacuateStoreNodeJob } from "@/server/services/operations/evacuate-store-node";
import { replaceStoreNodeJob } from "@/server/services/operations/replace-store-node";
import { expireSessionsJob } from "@/server/services/operations/expire-sessions";

/** Every kind of background job, listed once: a new kind is added here or it is never resumed. */
export const JOB_KINDS: readonly TJobKind[] = [
  rolloutJob,
  evacuateStoreNodeJob,
  replaceStoreNodeJob,
  expireSessionsJob,
];

/** Console start: runs again every job a previous process left unfinished; answers how many per kind. */
export function resumeAllJobs(db: TDb): Promise<Record<string, number>> {
  return resumeJobs(db, JOB_KINDS);
}

/** Several instances: takes over, every `everyMs`, the unfinished jobs no live instance holds. */
export function watchAllJobs(db: TDb, everyMs: number): () => void {
  return watchUnfinishedJobs(db, JOB_KINDS, everyMs);
}
