import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import { storeConfigs } from "@/server/services/sessions/sessions";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { AppError } from "@/server/errors";
import { asAdminState, type TAdminState } from "@/server/domain/member-state";
import { processSingleton } from "@/server/process-singleton";

const MAX_LISTED = 50;

export interface TRehomingStore {
  store: string;
  kind: string;
  /** Sessions whose id still names the member's route. */
  routed: number;
  /** Of those, accessed since the member was taken out: their users came back and another member served them. Null when the store does not report last access. */
  cameBack: number | null;
  /** Ids not seen since (first 50): users who have not come back yet, or sessions the member still holds alone. */
  waiting: string[];
  error: string | null;
}

export interface TRehoming {
  member: string;
  route: string;
  intendedState: TAdminState;
  /** When the member was last set to its current state: the moment "coming back" is counted from. */
  since: Date | null;
  stores: TRehomingStore[];
  scannedAt: Date;
}

/** How long one scan's answer serves every viewer of the same member (the page asks every 3 s). */
const FRESH_MS = 2_000;
const recent = processSingleton("rehoming-scans", () => new Map<string, { at: number; result: Promise<TRehoming> }>());

/**
 * The re-homing status, scanned at most once per FRESH_MS per member however many pages watch it: a
 * request during a scan, or just after one, shares that scan (a full scan of a million sessions takes
 * seconds, and the page polls).
 */
export function rehomingStatus(db: TDb, clusterName: string, memberName: string): Promise<TRehoming> {
  const key = `${clusterName}\u0000${memberName}`;
  const hit = recent.get(key);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.result;
  const entry = { at: Number.POSITIVE_INFINITY, result: scanRehoming(db, clusterName, memberName) };
  recent.set(key, entry);
  // Fresh from when the scan ends; a failed scan is not kept.
  entry.result.then(
    () => (entry.at = Date.now()),
    () => recent.delete(key),
  );
  return entry.result;
}

/**
 * "Where did tomcat2's users go?" after a stop or disable: every session whose id routes to the
 * member, and how many of them were used since it left the rotation — by definition on another
 * member, which loaded them from a shared store or a replica. When a session manager renames ids on
 * failover (MSM sticky, JvmRouteBinderValve), the routed count itself falls as users come back.
 * One streamed scan per store (no index: the view must be current).
 */
async function scanRehoming(db: TDb, clusterName: string, memberName: string): Promise<TRehoming> {
  const cluster = await getClusterByName(db, clusterName);
  const member = cluster.members.find((m) => m.name === memberName);
  if (!member) throw new AppError("NOT_FOUND", `No member "${memberName}" in cluster "${clusterName}"`);
  const since = member.intendedState === "active" ? null : member.intendedAt;
  const sinceS = since ? Math.floor(since.getTime() / 1000) : null;
  const stores: TRehomingStore[] = [];
  for (const store of await storeConfigs(db, clusterName)) {
    const adapter = getStoreAdapter(store.kind);
    const s: TRehomingStore = {
      store: store.name,
      kind: store.kind,
      routed: 0,
      cameBack: null,
      waiting: [],
      error: null,
    };
    stores.push(s);
    if (!adapter.enumerateSessions) {
      s.error = `${store.kind} stores cannot list their sessions`;
      continue;
    }
    try {
      const seen = new Set<string>(); // replicas list one session once per node
      let cameBack = 0;
      let knowsAccess = true;
      for await (const rows of adapter.enumerateSessions(store)) {
        for (const r of rows) {
          if (r.route !== member.route || seen.has(r.sessionId)) continue;
          seen.add(r.sessionId);
          if (r.lastAccess === null || sinceS === null) knowsAccess = false;
          else if (r.lastAccess >= sinceS) {
            cameBack++;
            continue;
          }
          if (s.waiting.length < MAX_LISTED) s.waiting.push(r.sessionId);
        }
      }
      s.routed = seen.size;
      s.cameBack = knowsAccess ? cameBack : null;
    } catch (err) {
      s.error = (err as Error).message;
    }
  }
  return {
    member: member.name,
    route: member.route,
    intendedState: asAdminState(member.intendedState),
    since,
    stores,
    scannedAt: new Date(),
  };
}
