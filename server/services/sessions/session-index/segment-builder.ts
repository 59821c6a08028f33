import { compareBytes, indexOfByte } from "@/server/adapters/stores/bytes";
import type { TScanBatch } from "@/server/adapters/stores/scan-batch";
import { CHUNK_BITS, hashBytes, IdColumnWriter } from "@/server/services/sessions/session-index/id-column";
import { backupKey, NewSessions, REC } from "@/server/services/sessions/session-index/new-sessions";
import {
  deriveSegment,
  NO_ROUTE,
  NO_TIME,
  type TNodeScan,
  type TStoreSegment,
} from "@/server/services/sessions/session-index/segment";

const DOT = 0x2e;

/**
 * Builds a store's next index from a scan without holding a second full index meanwhile. The previous
 * segment stays in use (queries read it) and is the base: a scanned id found in it (hash lookup) only
 * updates that row's fresh columns; ids it does not have go to a small "new" list. `commit()` then
 * merges the rows still alive with the sorted new ones into the next segment, releasing the previous
 * one's id chunks as the merge passes them. Rows of a node whose scan failed are kept as they were
 * (their node's scan time says how old they are), never silently dropped.
 */
export class SegmentBuilder {
  private readonly nodes: string[];
  private readonly nodeIndex = new Map<string, number>();
  private readonly routes: string[];
  private readonly routeBytes: Buffer[];
  private lastRoute = 0;

  // Rows of the previous segment: what this scan saw of them.
  private table: Int32Array | null;
  private readonly mask: number;
  private readonly seen: Uint8Array;
  private readonly nNode: Uint16Array;
  private readonly nExpires: Uint32Array;
  private readonly nSize: Uint32Array;
  private readonly nLast: Uint32Array;
  private readonly nCopies: Uint8Array;
  /** Rows of the previous segment whose backup copy this scan saw. */
  private readonly nBacked: Uint8Array;

  /**
   * Sessions the previous segment does not have, with their fields, and the keys of the ids whose backup
   * copy was seen and which the previous segment does not have (on a rescan nearly all are marked in
   * nBacked instead: a million keys and their hash set were 16 MB of the rescan's peak).
   */
  private readonly fresh = new NewSessions();
  private readonly nodeScans: Record<string, TNodeScan>;
  private readonly failed = new Set<string>();
  private readonly scanned = new Set<string>();
  private readonly keys: Record<string, number> = {};
  private committed = false;
  private sawBackups = false;

  constructor(
    private readonly store: string,
    private readonly prev: TStoreSegment | null,
    private readonly startedAt: number,
  ) {
    this.nodes = [...(prev?.nodes ?? [])];
    this.nodes.forEach((n, i) => this.nodeIndex.set(n, i));
    this.routes = [...(prev?.routes ?? [NO_ROUTE])];
    this.routeBytes = this.routes.map((r, i) => (i === 0 ? Buffer.alloc(0) : Buffer.from(r)));
    this.nodeScans = { ...(prev?.nodeScans ?? {}) };
    const n = prev?.ids.length ?? 0;
    this.seen = new Uint8Array(n);
    this.nNode = new Uint16Array(n);
    this.nExpires = new Uint32Array(n);
    this.nSize = new Uint32Array(n);
    this.nLast = new Uint32Array(n);
    this.nCopies = new Uint8Array(n);
    this.nBacked = new Uint8Array(n);
    if (prev && n > 0) {
      let size = 1;
      while (size < n * 2) size <<= 1;
      this.mask = size - 1;
      this.table = new Int32Array(size);
      for (let i = 0; i < n; i++) {
        const { bytes, start, end } = prev.ids.locate(i);
        let slot = hashBytes(bytes, start, end) & this.mask;
        while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
        this.table[slot] = i + 1;
      }
    } else {
      this.mask = 0;
      this.table = null;
    }
  }

  /** Sessions read so far in this scan. */
  get scannedSessions(): number {
    let n = this.fresh.length;
    for (let i = 0; i < this.seen.length; i++) n += this.seen[i]!;
    return n;
  }

  /** One batch of `nodeId`'s scan, read at `nowMs` (TTLs become expiry times on the console's clock). */
  add(nodeId: string, batch: TScanBatch, nowMs = Date.now()): void {
    if (this.committed) throw new Error("segment already committed");
    const nowS = Math.floor(nowMs / 1000);
    const ni = this.nodeOf(nodeId);
    this.keys[nodeId] = (this.keys[nodeId] ?? 0) + batch.keys;
    const { bytes, starts, count } = batch.sessions;
    for (let k = 0; k < count; k++) {
      const s = starts[k]!;
      const e = starts[k + 1]!;
      const ttl = batch.ttl[k]!;
      const expires = ttl < 0 ? NO_TIME : nowS + ttl;
      const row = this.findPrev(bytes, s, e);
      if (row >= 0) {
        if (!this.seen[row]) {
          this.seen[row] = 1;
          this.nNode[row] = ni;
          this.nExpires[row] = expires;
          this.nSize[row] = batch.size[k]!;
          this.nLast[row] = batch.lastAccess[k]!;
          this.nCopies[row] = 1;
        } else if (this.nNode[row] !== ni) {
          // Another node holds it too (a replica); the node its route names is the primary.
          this.nCopies[row] = Math.min(255, this.nCopies[row]! + 1);
          if (this.routes[this.prev!.route[row]!] === nodeId) this.nNode[row] = ni;
        }
        continue;
      }
      this.fresh.add(
        bytes,
        s,
        e,
        ni | (this.routeOf(bytes, s, e) << 16),
        expires,
        batch.size[k]!,
        batch.lastAccess[k]!,
      );
    }
    if (batch.backups) {
      const b = batch.backups;
      if (b.count > 0) this.sawBackups = true;
      for (let k = 0; k < b.count; k++) {
        const row = this.findPrev(b.bytes, b.starts[k]!, b.starts[k + 1]!);
        if (row >= 0) this.nBacked[row] = 1;
        else this.fresh.addBackup(b.bytes, b.starts[k]!, b.starts[k + 1]!);
      }
    }
  }

  /** Every session of the node has been read. */
  completeNode(nodeId: string, keys?: number): void {
    this.nodeOf(nodeId);
    this.scanned.add(nodeId);
    this.nodeScans[nodeId] = { scannedAt: this.startedAt, error: null, keys: keys ?? this.keys[nodeId] ?? 0 };
  }

  /** The node could not be read (completely): its rows stay as the last complete read left them. */
  failNode(nodeId: string, error: string): void {
    this.nodeOf(nodeId);
    this.failed.add(nodeId);
    const before = this.nodeScans[nodeId];
    this.nodeScans[nodeId] = { scannedAt: before?.scannedAt ?? null, error, keys: before?.keys ?? 0 };
  }

  /**
   * The next segment. The previous one is consumed (its id chunks are released during the merge): the
   * caller swaps the result in at once. Synchronous, so no query runs in between.
   */
  commit(finishedAt = Date.now()): TStoreSegment {
    if (this.committed) throw new Error("segment already committed");
    this.committed = true;
    this.table = null; // the lookups are over: its memory may go before the new columns are made
    const prev = this.prev;
    const prevN = prev?.ids.length ?? 0;
    const failedIdx = new Set([...this.failed].map((n) => this.nodeIndex.get(n)!));
    // A node neither completed nor failed (the scan was given up) counts as failed: its rows stay.
    for (const n of this.nodes) if (!this.scanned.has(n) && !this.failed.has(n)) failedIdx.add(this.nodeIndex.get(n)!);
    const keepBacked = failedIdx.size > 0;

    const dn = this.fresh.length;
    let survivors = 0;
    for (let i = 0; i < prevN; i++) if (this.seen[i] || failedIdx.has(prev!.node[i]!)) survivors++;
    const cap = survivors + dn;
    const ids = new IdColumnWriter();
    const node = new Uint16Array(cap);
    const route = new Uint16Array(cap);
    const expiresAt = new Uint32Array(cap);
    const size = new Uint32Array(cap);
    const lastAccess = new Uint32Array(cap);
    const copies = new Uint8Array(cap);
    const backed = new Uint8Array(cap);

    let m = 0;
    let i = 0;
    let released = 0;
    const nextSurvivor = () => {
      while (i < prevN && !(this.seen[i] || failedIdx.has(prev!.node[i]!))) i++;
    };
    /** The previous segment's row i, as this scan saw it, then on to the next survivor. */
    const takePrev = () => {
      const p = prev!;
      const loc = p.ids.locate(i);
      ids.push(loc.bytes, loc.start, loc.end);
      route[m] = p.route[i]!;
      if (this.seen[i]) {
        node[m] = this.nNode[i]!;
        expiresAt[m] = this.nExpires[i]!;
        size[m] = this.nSize[i]!;
        lastAccess[m] = this.nLast[i]!;
        copies[m] = this.nCopies[i]!;
      } else {
        node[m] = p.node[i]!;
        expiresAt[m] = p.expiresAt[i]!;
        size[m] = p.size[i]!;
        lastAccess[m] = p.lastAccess[i]!;
        copies[m] = p.copies[i]!;
      }
      if (this.nBacked[i] || (keepBacked && p.backed[i])) backed[m] = 1;
      m++;
      i++;
      nextSurvivor();
      // The previous segment's id chunks behind the merge are no longer needed.
      const done = Math.min(i, prevN) >>> CHUNK_BITS;
      while (released < done) p.ids.release(released++);
    };
    nextSurvivor();
    for (const bucket of this.fresh.inOrder()) {
      const order = bucket.sortedRows();
      const rec = bucket.rec;
      // The backups not marked on a previous row: only this scan's new sessions can match them.
      const leftover = bucket.backupSet();
      const starts = bucket.starts;
      for (let j = 0; j < order.length;) {
        const d = order[j++]!;
        const s = starts[d]!;
        const e = starts[d + 1]!;
        while (i < prevN && prev!.ids.compareWith(i, bucket.bytes, s, e) <= 0) takePrev();
        ids.push(bucket.bytes, s, e);
        const r = d * REC;
        node[m] = rec[r]! & 0xffff;
        route[m] = rec[r]! >>> 16;
        expiresAt[m] = rec[r + 1]!;
        size[m] = rec[r + 2]!;
        lastAccess[m] = rec[r + 3]!;
        copies[m] = 1;
        // The same session from other nodes (replicas) follows: one row, more copies.
        while (j < order.length && bucket.compareWith(order[j]!, bucket.bytes, s, e) === 0) {
          const dupNode = rec[order[j++]! * REC]! & 0xffff;
          if (dupNode === node[m]) continue;
          copies[m] = Math.min(255, copies[m]! + 1);
          if (this.routes[route[m]!] === this.nodes[dupNode]) node[m] = dupNode;
        }
        if (leftover && leftover.has(backupKey(bucket.bytes, s, e))) backed[m] = 1;
        m++;
      }
    }
    while (i < prevN) takePrev();
    if (prev) for (let c = released; c < prev.ids.chunks.length; c++) prev.ids.release(c);
    const column = ids.finish();

    for (const n of this.nodes)
      if (this.keys[n] !== undefined && this.scanned.has(n)) this.nodeScans[n]!.keys = this.keys[n];

    return deriveSegment({
      store: this.store,
      ids: column,
      node: node.subarray(0, m),
      route: route.subarray(0, m),
      expiresAt: expiresAt.subarray(0, m),
      size: size.subarray(0, m),
      lastAccess: lastAccess.subarray(0, m),
      copies: copies.subarray(0, m),
      backed: backed.subarray(0, m),
      nodes: this.nodes,
      routes: this.routes,
      sawBackups: this.sawBackups || (keepBacked && (prev?.sawBackups ?? false)),
      nodeScans: this.nodeScans,
      scanStartedAt: this.startedAt,
      scanFinishedAt: finishedAt,
    });
  }

  private nodeOf(nodeId: string): number {
    let i = this.nodeIndex.get(nodeId);
    if (i === undefined) {
      i = this.nodes.push(nodeId) - 1;
      this.nodeIndex.set(nodeId, i);
    }
    return i;
  }

  private findPrev(bytes: Buffer, start: number, end: number): number {
    if (!this.table) return -1;
    let slot = hashBytes(bytes, start, end) & this.mask;
    for (;;) {
      const row = this.table[slot]! - 1;
      if (row < 0) return -1;
      if (this.prev!.ids.compareWith(row, bytes, start, end) === 0) return row;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The route an id names (everything after its first "."), interned. */
  private routeOf(bytes: Buffer, start: number, end: number): number {
    const dot = indexOfByte(bytes, DOT, start, end);
    if (dot < 0 || dot >= end - 1) return 0;
    const last = this.routeBytes[this.lastRoute]!;
    if (this.lastRoute > 0 && compareBytes(bytes, dot + 1, end, last, 0, last.length) === 0) return this.lastRoute;
    for (let r = 1; r < this.routeBytes.length; r++) {
      const rb = this.routeBytes[r]!;
      if (compareBytes(bytes, dot + 1, end, rb, 0, rb.length) === 0) return (this.lastRoute = r);
    }
    const name = bytes.toString("utf8", dot + 1, end);
    this.routes.push(name);
    this.routeBytes.push(Buffer.from(bytes.subarray(dot + 1, end)));
    return (this.lastRoute = this.routes.length - 1);
  }
}
