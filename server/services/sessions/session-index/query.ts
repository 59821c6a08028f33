import { z } from "zod";
import { NO_ROUTE, NO_TIME, type TStoreSegment } from "@/server/services/sessions/session-index/segment";
import type { TIndexedSession } from "@/server/services/sessions/session-index/session-index-schema";

export const SESSION_SORTS = ["id", "idle", "ttl", "size"] as const;

// Numbers are coerced: over REST they arrive as query-string text.
export const ZSessionQuery = z.object({
  /** An id or the start of one (a pasted Cookie header is reduced to its id by the caller). */
  q: z.string().max(512).default(""),
  store: z.string().max(64).optional(),
  node: z.string().max(128).optional(),
  /** A member's route, or "(none)" for ids without one. */
  route: z.string().max(128).optional(),
  /** Idle at least this long (needs a store that reports last access). */
  minIdleSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(10 * 365 * 86_400)
    .optional(),
  /** Expiring within this many seconds (sessions without a TTL never match). */
  maxTtlSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(10 * 365 * 86_400)
    .optional(),
  sort: z.enum(SESSION_SORTS).default("id"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type TSessionQuery = z.infer<typeof ZSessionQuery>;
export type TSessionQueryInput = z.input<typeof ZSessionQuery>;

export interface TSessionPage {
  rows: TIndexedSession[];
  /** Sessions matching the filters. */
  matched: number;
  /** Sessions in the index. */
  total: number;
}

/** One segment's part of a query: which rows match, in which order they are walked. */
interface TCursorPlan {
  seg: TStoreSegment;
  /** Row range of the id prefix (the whole segment without one). */
  from: number;
  to: number;
  match: (i: number) => boolean;
  /** Row filters other than the prefix range are set: rows must be tested one by one. */
  filtered: boolean;
}

/**
 * Filters, sorts and pages the cluster's store segments. An id prefix narrows each segment to a range
 * (binary search); sorting by idle, TTL or size walks the segment's precomputed order; several stores
 * are merged as they are walked. Only the rows of the page become objects.
 */
export function querySessionIndex(
  segments: readonly TStoreSegment[],
  query: TSessionQueryInput,
  nowMs = Date.now(),
): TSessionPage {
  const q = ZSessionQuery.parse(query);
  const now = Math.floor(nowMs / 1000);
  const total = segments.reduce((a, s) => a + s.ids.length, 0);
  const prefix = Buffer.from(q.q, "utf8");
  const plans: TCursorPlan[] = [];
  for (const seg of segments) {
    if (q.store !== undefined && seg.store !== q.store) continue;
    const node = q.node === undefined ? -1 : seg.nodes.indexOf(q.node);
    const route = q.route === undefined ? -1 : seg.routes.indexOf(q.route);
    if ((q.node !== undefined && node < 0) || (q.route !== undefined && route < 0)) continue;
    const from = prefix.length ? seg.ids.lowerBound(prefix) : 0;
    const to = prefix.length ? seg.ids.lowerBound(Buffer.concat([prefix, Buffer.from([0xff])])) : seg.ids.length;
    if (from >= to) continue;
    const minIdle = q.minIdleSeconds;
    const maxTtl = q.maxTtlSeconds;
    const filtered = node >= 0 || route >= 0 || minIdle !== undefined || maxTtl !== undefined;
    const match = (i: number): boolean => {
      if (i < from || i >= to) return false;
      if (node >= 0 && seg.node[i] !== node) return false;
      if (route >= 0 && seg.route[i] !== route) return false;
      // Unknown last access never matches an idle filter; a session without expiry never matches a TTL one.
      if (minIdle !== undefined && (seg.lastAccess[i] === NO_TIME || now - seg.lastAccess[i]! < minIdle)) return false;
      if (maxTtl !== undefined && (seg.expiresAt[i] === NO_TIME || seg.expiresAt[i]! - now > maxTtl)) return false;
      return true;
    };
    plans.push({ seg, from, to, match, filtered });
  }

  let matched = 0;
  for (const p of plans) {
    if (!p.filtered) matched += p.to - p.from;
    else for (let i = p.from; i < p.to; i++) if (p.match(i)) matched++;
  }
  const rows: TIndexedSession[] = [];
  if (q.offset >= matched) return { rows, matched, total };
  const single = plans.length === 1 && !plans[0]!.filtered ? plans[0]! : null;
  if (single) {
    // One store, no row filter: the page is found by position, however deep.
    const at = positionsAt(single, q.sort, q.dir);
    for (let k = q.offset; k < Math.min(matched, q.offset + q.limit); k++) rows.push(toRow(single.seg, at(k), now));
    return { rows, matched, total };
  }
  const walkers = plans.map((p) => walker(p, q.sort, q.dir));
  const cmp = comparator(q.sort, q.dir);
  let skipped = 0;
  // k-way merge: each walker yields its segment's matching rows in order.
  const heads = walkers.map((w) => w());
  while (rows.length < q.limit) {
    let best = -1;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k]!;
      if (h < 0) continue;
      if (best < 0 || cmp(plans[k]!.seg, h, plans[best]!.seg, heads[best]!) < 0) best = k;
    }
    if (best < 0) break;
    const row = heads[best]!;
    heads[best] = walkers[best]!();
    if (skipped < q.offset) {
      skipped++;
      continue;
    }
    rows.push(toRow(plans[best]!.seg, row, now));
  }
  return { rows, matched, total };
}

/** A ranking value per row for a sort; ids are ranked by their bytes instead. */
function sortKey(seg: TStoreSegment, sort: TSessionQuery["sort"], i: number): number {
  switch (sort) {
    case "idle":
      // Idle ascending is last access descending; unknown last access counts as "just now".
      return seg.lastAccess[i] === NO_TIME ? 0xffffffff : seg.lastAccess[i]!;
    case "ttl":
      return seg.expiresAt[i] === NO_TIME ? 0xffffffff : seg.expiresAt[i]!;
    case "size":
      return seg.size[i]!;
    default:
      return i;
  }
}

/** Orders rows of two segments for a sort (ties: by id, ascending, in both directions). */
function comparator(
  sort: TSessionQuery["sort"],
  dir: "asc" | "desc",
): (a: TStoreSegment, i: number, b: TStoreSegment, j: number) => number {
  const idOrder = (a: TStoreSegment, i: number, b: TStoreSegment, j: number) => {
    const loc = b.ids.locate(j);
    return a.ids.compareWith(i, loc.bytes, loc.start, loc.end) || (a.store < b.store ? -1 : a.store > b.store ? 1 : 0);
  };
  if (sort === "id") return dir === "asc" ? idOrder : (a, i, b, j) => -idOrder(a, i, b, j);
  // Idle ascending = last access descending.
  const sign = (sort === "idle" ? -1 : 1) * (dir === "asc" ? 1 : -1);
  return (a, i, b, j) => sign * (sortKey(a, sort, i) - sortKey(b, sort, j)) || idOrder(a, i, b, j);
}

/** Below this share of its segment, a prefix range is sorted on its own rather than found in the full order. */
const SMALL_RANGE = 1 / 16;

/**
 * The rows of a plan's range in a column's order: the segment's precomputed order, or, for a small
 * prefix range, that range sorted on the spot (ascending key, ties by id). `reversed`: walk it backwards.
 */
function orderFor(p: TCursorPlan, sort: Exclude<TSessionQuery["sort"], "id">, dir: "asc" | "desc") {
  const { seg } = p;
  // Idle ascending is last access descending.
  const reversed = sort === "idle" ? dir === "asc" : dir === "desc";
  const key = (i: number) => sortKey(seg, sort, i);
  let order: Uint32Array;
  if (p.to - p.from < seg.ids.length * SMALL_RANGE) {
    const range = new Uint32Array(p.to - p.from);
    for (let k = 0; k < range.length; k++) range[k] = p.from + k;
    order = range.sort((a, b) => key(a) - key(b) || a - b);
  } else order = sort === "idle" ? seg.byLastAccess : sort === "ttl" ? seg.byExpiry : seg.bySize;
  return { order, reversed, key };
}

/**
 * Position k of an unfiltered plan in the query's order, by arithmetic (a deep page costs what the first
 * does). Backwards, the order is walked by groups of equal keys, each group forwards (ties by id): the
 * row k places is found by two binary searches on the keys.
 */
function positionsAt(p: TCursorPlan, sort: TSessionQuery["sort"], dir: "asc" | "desc"): (k: number) => number {
  if (sort === "id") return dir === "asc" ? (k) => p.from + k : (k) => p.to - 1 - k;
  const { order, reversed, key } = orderFor(p, sort, dir);
  if (!reversed) return (k) => order[k]!;
  const n = order.length;
  const bound = (v: number, strict: boolean) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const kv = key(order[mid]!);
      if (kv < v || (strict && kv === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (k) => {
    const v = key(order[n - 1 - k]!);
    const first = bound(v, false);
    const after = bound(v, true);
    return order[first + (k - (n - after))]!;
  };
}

/**
 * Yields the plan's matching rows in the query's order, then -1. By id: the range itself. By a column:
 * see orderFor; backwards by groups of equal keys, each group forwards, so ties stay in id order.
 */
function walker(p: TCursorPlan, sort: TSessionQuery["sort"], dir: "asc" | "desc"): () => number {
  if (sort === "id") {
    let i = dir === "asc" ? p.from : p.to - 1;
    const step = dir === "asc" ? 1 : -1;
    return () => {
      while (i >= p.from && i < p.to) {
        const row = i;
        i += step;
        if (!p.filtered || p.match(row)) return row;
      }
      return -1;
    };
  }
  const { order, reversed, key } = orderFor(p, sort, dir);
  if (!reversed) {
    let k = 0;
    return () => {
      while (k < order.length) {
        const row = order[k++]!;
        if (p.match(row)) return row;
      }
      return -1;
    };
  }
  let groupEnd = order.length; // exclusive
  let k = order.length;
  let groupStart = order.length;
  return () => {
    for (;;) {
      if (k >= groupEnd) {
        if (groupStart === 0) return -1;
        groupEnd = groupStart;
        const v = key(order[groupEnd - 1]!);
        groupStart = groupEnd - 1;
        while (groupStart > 0 && key(order[groupStart - 1]!) === v) groupStart--;
        k = groupStart;
      }
      const row = order[k++]!;
      if (p.match(row)) return row;
    }
  };
}

function toRow(seg: TStoreSegment, i: number, now: number): TIndexedSession {
  const route = seg.routes[seg.route[i]!]!;
  return {
    sessionId: seg.ids.get(i),
    store: seg.store,
    node: seg.nodes[seg.node[i]!]!,
    route: route === NO_ROUTE ? null : route,
    ttlSeconds: seg.expiresAt[i] === NO_TIME ? null : Math.max(0, seg.expiresAt[i]! - now),
    idleSeconds: seg.lastAccess[i] === NO_TIME ? null : Math.max(0, now - seg.lastAccess[i]!),
    size: seg.size[i]!,
    copies: seg.copies[i]!,
  };
}
