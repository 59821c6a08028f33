import type { TDb } from "@/server/db";

/**
 * The names of the background duties an instance can own. One lease row per name; the global duties
 * are owned by one instance at a time, the per-target ones spread the polling over the instances.
 */
export const ALERTS_DUTY = "alerts";
export const DELIVERY_DUTY = "delivery";
/** Writing the frontends' history buckets and poll outcomes, and compacting every history table. */
export const HISTORY_DUTY = "history";
/** Re-applying intended states where a frontend drifted (one instance, or two would act twice). */
export const REAPPLY_DUTY = "reapply";
export const GLOBAL_DUTIES = [ALERTS_DUTY, DELIVERY_DUTY, HISTORY_DUTY, REAPPLY_DUTY] as const;

export function frontendDuty(frontendId: number): string {
  return `frontend:${frontendId}`;
}

export function storeDuty(storeId: number): string {
  return `store:${storeId}`;
}

/**
 * Keeping a cluster's session index: scanning its stores while someone needs them, sharing the counts,
 * and answering what needs the ids (the session table, safe-to-stop, re-homing) for every instance. One
 * duty per cluster, not per store: the table's pages, sorted over all the cluster's stores at once, can
 * only be cut where every store's index is held.
 */
export function sessionIndexDuty(clusterId: number): string {
  return `sessions:${clusterId}`;
}

/**
 * Every duty the inventory asks for now: each enabled frontend, each store, the session index of each
 * cluster with stores, and the global ones.
 */
export async function listDuties(db: TDb): Promise<string[]> {
  const [frontends, stores] = await Promise.all([
    db.frontend.findMany({ where: { enabled: true }, select: { id: true } }),
    db.sessionStore.findMany({ select: { id: true, clusterId: true } }),
  ]);
  return [
    ...GLOBAL_DUTIES,
    ...frontends.map((f) => frontendDuty(f.id)),
    ...stores.map((s) => storeDuty(s.id)),
    ...[...new Set(stores.map((s) => s.clusterId))].map(sessionIndexDuty),
  ];
}
