import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import { storeConfigs } from "@/server/services/sessions/sessions";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { AppError } from "@/server/errors";

export interface TSafeToStop {
  member: string;
  route: string;
  /** Sessions whose id routes to the member, over every store. */
  total: number;
  safe: number;
  /** Sessions that exist only on the member: stopping it loses them (first 50). */
  unsafe: Array<{ store: string; sessionId: string }>;
  perStore: Array<{ store: string; kind: string; total: number; safe: number; error: string | null }>;
  verdict: "safe" | "unsafe" | "unknown";
  summary: string;
}

/**
 * "Is it safe to stop this Tomcat?": every session routed to it must have a current copy elsewhere:
 * in a shared store (memcached MSM, Redis: the store is where the session lives) or as a replica on
 * another Tomcat (DeltaManager/BackupManager, read through the Manager app). Unknown when a store
 * cannot be read: never reported safe on partial information.
 */
export async function checkSafeToStop(db: TDb, clusterName: string, memberName: string): Promise<TSafeToStop> {
  const cluster = await getClusterByName(db, clusterName);
  const member = cluster.members.find((m) => m.name === memberName);
  if (!member) throw new AppError("NOT_FOUND", `No member "${memberName}" in cluster "${clusterName}"`);
  const stores = await storeConfigs(db, clusterName);
  const result: TSafeToStop = {
    member: member.name,
    route: member.route,
    total: 0,
    safe: 0,
    unsafe: [],
    perStore: [],
    verdict: "safe",
    summary: "",
  };
  for (const store of stores) {
    try {
      const adapter = getStoreAdapter(store.kind);
      // Shared stores hold the session itself: every session of the route found there is safe.
      const r = adapter.routeSafety
        ? await adapter.routeSafety(store, member.route)
        : await adapter.countSessions(store).then((c) => ({
            total: c.perRoute[member.route] ?? 0,
            safe: c.perRoute[member.route] ?? 0,
            unsafe: [] as string[],
          }));
      result.perStore.push({ store: store.name, kind: store.kind, total: r.total, safe: r.safe, error: null });
      result.total += r.total;
      result.safe += r.safe;
      for (const id of r.unsafe)
        if (result.unsafe.length < 50) result.unsafe.push({ store: store.name, sessionId: id });
    } catch (err) {
      result.perStore.push({ store: store.name, kind: store.kind, total: 0, safe: 0, error: (err as Error).message });
      result.verdict = "unknown";
    }
  }
  if (result.verdict !== "unknown") result.verdict = result.safe === result.total ? "safe" : "unsafe";
  const unread = result.perStore.filter((s) => s.error).map((s) => s.store);
  result.summary =
    stores.length === 0
      ? `No session stores are configured for ${clusterName}: whether ${member.name}'s sessions survive is unknown.`
      : result.verdict === "unknown"
        ? `Could not read ${unread.join(", ")}: not known whether ${member.name}'s sessions survive.`
        : result.verdict === "safe"
          ? `All ${result.total} session(s) routed to ${member.name} have a copy in a shared store or on another Tomcat.`
          : `${result.total - result.safe} of ${result.total} session(s) routed to ${member.name} exist only there: stopping it loses them.`;
  if (stores.length === 0) result.verdict = "unknown";
  return result;
}
