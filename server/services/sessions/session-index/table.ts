import type { TSessionRow } from "@/server/adapters/stores/adapter";

/**
 * The session index: every live session of a cluster's stores from one full scan, held column-wise
 * (typed arrays + one string array) so a million rows take tens of MB, sorted by id so an id or
 * prefix is found by binary search. Built off to the side and swapped in whole; queries never see a
 * half-built index.
 */
export interface TSessionIndexTable {
  /** Sorted (UTF-16 code unit order, as `<` compares), unique per store. */
  ids: string[];
  store: Uint16Array;
  node: Uint16Array;
  route: Uint16Array;
  /** Remaining seconds when scanned; -1 = never expires / not reported. */
  ttl: Int32Array;
  size: Uint32Array;
  /** Unix seconds; 0 = unknown. */
  lastAccess: Uint32Array;
  /** How many nodes hold a copy (replicas: Tomcat's DeltaManager keeps one per node). */
  copies: Uint8Array;
  stores: string[];
  /** "store\u0000node" pairs, decoded with nodeName(). */
  nodes: string[];
  /** Route names; index 0 is "(none)". */
  routes: string[];
  scannedAt: number;
}

export const NO_ROUTE = "(none)";

/** Collects rows store by store; `finish()` sorts, merges copies of one session, and freezes the columns. */
export class SessionIndexBuilder {
  private readonly ids: string[] = [];
  private readonly cols = {
    store: [] as number[],
    node: [] as number[],
    route: [] as number[],
    ttl: [] as number[],
    size: [] as number[],
    lastAccess: [] as number[],
  };
  private readonly stores: string[] = [];
  private readonly nodes = new Dict();
  private readonly routes = new Dict([NO_ROUTE]);

  get count(): number {
    return this.ids.length;
  }

  add(storeName: string, rows: TSessionRow[]): void {
    let s = this.stores.indexOf(storeName);
    if (s < 0) s = this.stores.push(storeName) - 1;
    for (const r of rows) {
      this.ids.push(ownCopy(r.sessionId));
      this.cols.store.push(s);
      this.cols.node.push(this.nodes.id(`${storeName}\u0000${r.node}`));
      this.cols.route.push(r.route ? this.routes.id(r.route) : 0);
      this.cols.ttl.push(r.ttlSeconds === null ? -1 : Math.min(r.ttlSeconds, 2 ** 31 - 1));
      this.cols.size.push(r.size);
      this.cols.lastAccess.push(r.lastAccess ?? 0);
    }
  }

  finish(scannedAt = Date.now()): TSessionIndexTable {
    const n = this.ids.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const ids = this.ids;
    const st = this.cols.store;
    order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : st[a]! - st[b]!));

    const out = allocate(n);
    const outIds: string[] = [];
    let m = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const prev = m - 1;
      if (prev >= 0 && outIds[prev] === ids[i] && out.store[prev] === st[i]) {
        // The same session on another node (a replica, or SCAN returning a key twice): one row, more copies.
        out.copies[prev] = Math.min(255, out.copies[prev]! + 1);
        const ownNode = this.routes.name(this.cols.route[i]!) === nodeName(this.nodes.name(this.cols.node[i]!));
        if (ownNode) out.node[prev] = this.cols.node[i]!; // the node the route names is the primary
        continue;
      }
      outIds.push(ids[i]!);
      out.store[m] = st[i]!;
      out.node[m] = this.cols.node[i]!;
      out.route[m] = this.cols.route[i]!;
      out.ttl[m] = this.cols.ttl[i]!;
      out.size[m] = this.cols.size[i]!;
      out.lastAccess[m] = this.cols.lastAccess[i]!;
      out.copies[m] = 1;
      m++;
    }
    return {
      ids: outIds,
      store: out.store.slice(0, m),
      node: out.node.slice(0, m),
      route: out.route.slice(0, m),
      ttl: out.ttl.slice(0, m),
      size: out.size.slice(0, m),
      lastAccess: out.lastAccess.slice(0, m),
      copies: out.copies.slice(0, m),
      stores: [...this.stores],
      nodes: this.nodes.names(),
      routes: this.routes.names(),
      scannedAt,
    };
  }
}

function allocate(n: number) {
  return {
    store: new Uint16Array(n),
    node: new Uint16Array(n),
    route: new Uint16Array(n),
    ttl: new Int32Array(n),
    size: new Uint32Array(n),
    lastAccess: new Uint32Array(n),
    copies: new Uint8Array(n),
  };
}

/**
 * A fresh copy of the string. Ids parsed out of a listing are V8 "sliced strings" that keep the whole
 * received chunk alive: 500,000 MSM ids held 283 MB that way, 67 MB as copies (measured).
 */
function ownCopy(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

/** "store\u0000node" → node. */
export function nodeName(pair: string): string {
  return pair.slice(pair.indexOf("\u0000") + 1);
}

/** String ↔ small integer, for the columns that repeat a handful of values a million times. */
class Dict {
  private readonly list: string[];
  private readonly map = new Map<string, number>();
  constructor(initial: string[] = []) {
    this.list = [];
    for (const v of initial) this.id(v);
  }
  id(v: string): number {
    let i = this.map.get(v);
    if (i === undefined) {
      i = this.list.push(v) - 1;
      this.map.set(v, i);
    }
    return i;
  }
  name(i: number): string {
    return this.list[i]!;
  }
  names(): string[] {
    return [...this.list];
  }
}

/** First position whose id is >= `prefix` (binary search over the sorted ids). */
export function lowerBound(ids: string[], prefix: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
