import { z } from "zod";
import {
  lowerBound,
  nodeName,
  NO_ROUTE,
  type TSessionIndexTable,
} from "@/server/services/sessions/session-index/table";
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

/**
 * Filters, sorts and pages the index. An id prefix narrows to a contiguous range first (binary
 * search); other filters are one pass over that range. Sorting by anything but the id keeps only the
 * rows the page needs (offset + limit) in a small sorted buffer, so the first pages of a million rows
 * never sort the million.
 */
export function querySessionIndex(t: TSessionIndexTable, query: TSessionQueryInput, nowMs = Date.now()): TSessionPage {
  const q = ZSessionQuery.parse(query);
  const age = Math.max(0, Math.floor((nowMs - t.scannedAt) / 1000));
  const now = Math.floor(nowMs / 1000);
  const storeIdx = q.store === undefined ? -1 : t.stores.indexOf(q.store);
  const routeIdx = q.route === undefined ? -1 : t.routes.indexOf(q.route);
  const nodeSet =
    q.node === undefined
      ? null
      : new Set(
          t.nodes.flatMap((pair, i) =>
            nodeName(pair) === q.node && (storeIdx < 0 || pair.startsWith(`${q.store}\u0000`)) ? [i] : [],
          ),
        );
  const none: TSessionPage = { rows: [], matched: 0, total: t.ids.length };
  if (
    (q.store !== undefined && storeIdx < 0) ||
    (q.route !== undefined && routeIdx < 0) ||
    (nodeSet && nodeSet.size === 0)
  )
    return none;

  const from = q.q ? lowerBound(t.ids, q.q) : 0;
  const matches = (i: number): boolean => {
    if (storeIdx >= 0 && t.store[i] !== storeIdx) return false;
    if (routeIdx >= 0 && t.route[i] !== routeIdx) return false;
    if (nodeSet && !nodeSet.has(t.node[i]!)) return false;
    if (q.minIdleSeconds !== undefined && (t.lastAccess[i] === 0 || now - t.lastAccess[i]! < q.minIdleSeconds))
      return false;
    if (q.maxTtlSeconds !== undefined && (t.ttl[i]! < 0 || t.ttl[i]! - age > q.maxTtlSeconds)) return false;
    return true;
  };

  // Pass 1: every matching position, in id order.
  const hits = new Uint32Array(t.ids.length - from);
  let matched = 0;
  for (let i = from; i < t.ids.length; i++) {
    if (q.q && !t.ids[i]!.startsWith(q.q)) break;
    if (matches(i)) hits[matched++] = i;
  }
  const want = Math.min(matched, q.offset + q.limit);
  let page: ArrayLike<number>;
  if (q.sort === "id") {
    page =
      q.dir === "asc"
        ? hits.subarray(q.offset, want)
        : Array.from({ length: Math.max(0, want - q.offset) }, (_, k) => hits[matched - 1 - q.offset - k]!);
  } else {
    const key = sortKey(t, q.sort, now);
    const sign = q.dir === "asc" ? 1 : -1;
    const cmp = (a: number, b: number) => sign * (key(a) - key(b)) || a - b;
    if (want <= TOPK_LIMIT) {
      const top = new TopK(want, cmp);
      for (let k = 0; k < matched; k++) top.push(hits[k]!);
      page = top.sorted().slice(q.offset);
    } else {
      page = hits.subarray(0, matched).sort(cmp).subarray(q.offset, want);
    }
  }
  const rows = Array.from(page, (i) => toRow(t, i, age, now));
  return { rows, matched, total: t.ids.length };
}

/** Deeper pages than this sort every match once instead of keeping a sorted buffer. */
const TOPK_LIMIT = 5_000;

/** Numeric sort key per row; ids are already in order, so their key is the position. */
function sortKey(t: TSessionIndexTable, sort: TSessionQuery["sort"], now: number): (i: number) => number {
  switch (sort) {
    case "idle":
      return (i) => (t.lastAccess[i] === 0 ? -1 : now - t.lastAccess[i]!);
    case "ttl":
      return (i) => (t.ttl[i]! < 0 ? Number.MAX_SAFE_INTEGER : t.ttl[i]!);
    case "size":
      return (i) => t.size[i]!;
    default:
      return (i) => i;
  }
}

function toRow(t: TSessionIndexTable, i: number, age: number, now: number): TIndexedSession {
  const route = t.routes[t.route[i]!]!;
  return {
    sessionId: t.ids[i]!,
    store: t.stores[t.store[i]!]!,
    node: nodeName(t.nodes[t.node[i]!]!),
    route: route === NO_ROUTE ? null : route,
    ttlSeconds: t.ttl[i]! < 0 ? null : Math.max(0, t.ttl[i]! - age),
    idleSeconds: t.lastAccess[i] === 0 ? null : Math.max(0, now - t.lastAccess[i]!),
    size: t.size[i]!,
    copies: t.copies[i]!,
  };
}

/** Keeps the k smallest items by `cmp`; push is O(log k) for the few that enter, O(1) for the rest. */
class TopK {
  private readonly items: number[] = [];
  constructor(
    private readonly k: number,
    private readonly cmp: (a: number, b: number) => number,
  ) {}
  push(i: number): void {
    const items = this.items;
    if (items.length === this.k && this.cmp(i, items[items.length - 1]!) >= 0) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(items[mid]!, i) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, i);
    if (items.length > this.k) items.pop();
  }
  sorted(): number[] {
    return this.items;
  }
}
