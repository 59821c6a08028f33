import { processSingleton } from "@/server/process-singleton";
import { baseOfSessionId } from "@/server/domain/session-id";
import type { TStoreSegment } from "@/server/services/sessions/session-index/segment";
import type { TStoreIndexView } from "@/server/services/sessions/session-index/store-scans";

/**
 * Which sessions a member held when it left the rotation, so the re-homing view can recognise them after
 * a session manager renamed them on failover (JvmRouteBinderValve, sticky MSM: `ID.tomcat2` becomes
 * `ID.tomcat1` on the Tomcat that took the user over; the base id stays). Taken from the index as it was
 * scanned before the member left, when its member action ran or, failing that, when the view is first
 * asked. Kept per store as sorted 53-bit hashes of base ids: 8 bytes a session, not the ids themselves.
 */
export interface TRenames {
  /** Sessions of the member that now live under another route. */
  count: number;
  /** The first of them, by their new id. */
  ids: string[];
}

const MAX_LISTED = 50;
/** Members remembered at once (one per member that left, most recent kept). */
const MAX_BASELINES = 32;

interface TBaseline {
  /** Per store: hashes of the base ids routed to the member, sorted; absent when the index was newer. */
  stores: Map<string, Float64Array>;
  /** Renames found per segment (immutable): a view polled every few seconds hashes each index once. */
  found: WeakMap<TStoreSegment, TRenames>;
}

const baselines = processSingleton("rehoming-baselines", () => new Map<string, TBaseline>());

const keyOf = (cluster: string, route: string, since: Date) => `${cluster}\u0000${route}\u0000${since.getTime()}`;

/** FNV-1a twice (two seeds) folded into 53 bits: collisions among a member's sessions are negligible. */
export function hashBaseId(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

function routedHashes(seg: TStoreSegment, route: string): Float64Array {
  const r = seg.routes.indexOf(route);
  if (r < 0) return new Float64Array(0);
  const out = new Float64Array(seg.counts.perRoute[r] ?? 0);
  let n = 0;
  for (let i = 0; i < seg.ids.length && n < out.length; i++)
    if (seg.route[i] === r) out[n++] = hashBaseId(baseOfSessionId(seg.ids.get(i)));
  return out.subarray(0, n).sort();
}

/**
 * Remembers the member's sessions from every store index scanned before `since` (the moment it left).
 * A store whose index is already newer has no baseline: its renames are not known (null).
 */
export function rememberRouted(cluster: string, route: string, since: Date, views: readonly TStoreIndexView[]): void {
  const key = keyOf(cluster, route, since);
  if (baselines.has(key)) return;
  const stores = new Map<string, Float64Array>();
  for (const v of views)
    if (v.indexed && v.scanned && v.segment.scanStartedAt <= since.getTime())
      stores.set(v.ref.name, routedHashes(v.segment, route));
  baselines.set(key, { stores, found: new WeakMap() });
  while (baselines.size > MAX_BASELINES) baselines.delete(baselines.keys().next().value!);
}

function has(sorted: Float64Array, h: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The member's remembered sessions that the store's index now shows under another route; null: not remembered. */
export function renamesIn(cluster: string, route: string, since: Date, view: TStoreIndexView): TRenames | null {
  const b = baselines.get(keyOf(cluster, route, since));
  const mine = b?.stores.get(view.ref.name);
  if (!b || !mine) return null;
  const seg = view.segment;
  const cached = b.found.get(seg);
  if (cached) return cached;
  const r = seg.routes.indexOf(route);
  const found: TRenames = { count: 0, ids: [] };
  if (mine.length > 0)
    for (let i = 0; i < seg.ids.length; i++) {
      if (seg.route[i] === r) continue;
      const id = seg.ids.get(i);
      if (!has(mine, hashBaseId(baseOfSessionId(id)))) continue;
      found.count++;
      if (found.ids.length < MAX_LISTED) found.ids.push(id);
    }
  b.found.set(seg, found);
  return found;
}
