import type { TDb } from "@/server/db";
import { askOwner, HERE, tellOwner } from "@/server/fanout/ask-owner";
import type { TIndexQuestion } from "@/server/fanout/owner-questions";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";

export { HERE };

/**
 * Several instances: a cluster's session index (every store's ids) is kept by one instance, the holder of
 * the cluster's `sessions:<id>` lease. What needs the ids is asked of it (server/fanout/ask-owner.ts)
 * instead of a second scan of the stores here: a million sessions are half a gigabyte of metadump per
 * scan, a forwarded table page a few kilobytes. One instance (SQLite) keeps every index itself.
 */

/**
 * HERE when this instance keeps the cluster's session index (or there is only one instance, or the
 * cluster has no stores); otherwise the keeper's answer. NOT_FOUND for an unknown cluster.
 */
export async function askIndexKeeper<T>(db: TDb, cluster: string, question: TIndexQuestion): Promise<T | typeof HERE> {
  const duty = await sessionScans().keeperDuty(db, cluster);
  if (duty === null) return HERE;
  return askOwner<T>(duty, { ...question, cluster }, `${cluster}'s session index`);
}

/** Sends the question to the keeper without waiting for its answer; HERE when this instance keeps the index. */
export async function tellIndexKeeper(db: TDb, cluster: string, question: TIndexQuestion): Promise<typeof HERE | null> {
  const duty = await sessionScans().keeperDuty(db, cluster);
  if (duty === null) return HERE;
  return tellOwner(duty, { ...question, cluster });
}
