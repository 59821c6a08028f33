import { IdColumn } from "@/server/services/sessions/session-index/id-column";
import { sortByKey } from "@/server/services/sessions/session-index/radix";

export const NO_ROUTE = "(none)";
/** Never expires / last access unknown, in the Uint32 time columns. */
export const NO_TIME = 0;

/** How one node's part of a segment was read. */
export interface TNodeScan {
  /** When its rows were read (ms); null when it has never been read completely. */
  scannedAt: number | null;
  /** Why the last scan could not read it (its rows, if any, are from `scannedAt`). */
  error: string | null;
  /** Keys the node held at its last complete read, every role. */
  keys: number;
}

/**
 * The session index of one store: every live session from its last scan, column-wise, sorted by id (bytes)
 * so an id or a prefix is a binary search. Immutable once built; a rescan builds the next one from it
 * (segment-builder.ts) and the scan coordinator swaps it in whole.
 */
export interface TStoreSegment {
  store: string;
  ids: IdColumn;
  /** Index into `nodes`: the node holding the primary copy. */
  node: Uint16Array;
  /** Index into `routes` (0 = no route in the id). */
  route: Uint16Array;
  /** Unix seconds on the console's clock; NO_TIME = never expires or not reported. */
  expiresAt: Uint32Array;
  /** Bytes of the primary key/value; 0 when the store does not report it cheaply. */
  size: Uint32Array;
  /** Unix seconds on the console's clock; NO_TIME = unknown. */
  lastAccess: Uint32Array;
  /** Nodes holding a copy (replicas: Tomcat's DeltaManager keeps one per node). */
  copies: Uint8Array;
  /** 1 when a backup copy was seen on another node (MSM's bak: pair). */
  backed: Uint8Array;
  nodes: string[];
  routes: string[];
  /** Positions by last access (oldest first, unknown last), by expiry (soonest first, never last), by size. */
  byLastAccess: Uint32Array;
  byExpiry: Uint32Array;
  bySize: Uint32Array;
  counts: TSegmentCounts;
  /** Whether any backup copy was seen at all (kinds without backups never see one). */
  sawBackups: boolean;
  nodeScans: Record<string, TNodeScan>;
  /** When the scan that built this segment started and ended (ms). */
  scanStartedAt: number;
  scanFinishedAt: number;
}

export interface TSegmentCounts {
  total: number;
  perNode: Uint32Array;
  perRoute: Uint32Array;
  /** nodes × routes, row-major by node. */
  perNodeRoute: Uint32Array;
  /** Sessions with no backup copy seen, per node (meaningful where the kind keeps backups). */
  unbackedPerNode: Uint32Array;
}

/** Sort orders and counts of freshly built columns (what the queries and counts read without a pass). */
export function deriveSegment(
  base: Omit<TStoreSegment, "byLastAccess" | "byExpiry" | "bySize" | "counts">,
): TStoreSegment {
  const n = base.ids.length;
  const la = new Uint32Array(n);
  const ex = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    la[i] = base.lastAccess[i] === NO_TIME ? 0xffffffff : base.lastAccess[i]!;
    ex[i] = base.expiresAt[i] === NO_TIME ? 0xffffffff : base.expiresAt[i]!;
  }
  const nodes = base.nodes.length;
  const routes = base.routes.length;
  const counts: TSegmentCounts = {
    total: n,
    perNode: new Uint32Array(nodes),
    perRoute: new Uint32Array(routes),
    perNodeRoute: new Uint32Array(nodes * routes),
    unbackedPerNode: new Uint32Array(nodes),
  };
  for (let i = 0; i < n; i++) {
    const node = base.node[i]!;
    const route = base.route[i]!;
    counts.perNode[node]!++;
    counts.perRoute[route]!++;
    counts.perNodeRoute[node * routes + route]!++;
    if (!base.backed[i]) counts.unbackedPerNode[node]!++;
  }
  return { ...base, byLastAccess: sortByKey(la), byExpiry: sortByKey(ex), bySize: sortByKey(base.size), counts };
}

/** An index with no session (a store not scanned yet answers with this, marked as such by its status). */
export function emptySegment(store: string, now = Date.now()): TStoreSegment {
  return deriveSegment({
    store,
    ids: IdColumn.empty(),
    node: new Uint16Array(0),
    route: new Uint16Array(0),
    expiresAt: new Uint32Array(0),
    size: new Uint32Array(0),
    lastAccess: new Uint32Array(0),
    copies: new Uint8Array(0),
    backed: new Uint8Array(0),
    nodes: [],
    routes: [NO_ROUTE],
    sawBackups: false,
    nodeScans: {},
    scanStartedAt: now,
    scanFinishedAt: now,
  });
}

/** Bytes the segment holds (for the status line and the bench). */
export function segmentBytes(s: TStoreSegment): number {
  const arrays = [
    s.node,
    s.route,
    s.expiresAt,
    s.size,
    s.lastAccess,
    s.copies,
    s.backed,
    s.byLastAccess,
    s.byExpiry,
    s.bySize,
  ];
  return s.ids.byteSize() + arrays.reduce((a, x) => a + x.byteLength, 0);
}
