import { copyBytes } from "@/server/adapters/stores/bytes";

/**
 * What a store node's scan hands the session index: sessions as columns, not objects. A million sessions
 * as `{ sessionId, ttl, … }` objects (and their id strings) cost more to build and collect than the scan
 * itself; here ids are bytes back to back and the numbers sit in typed arrays, one batch per chunk read.
 */
export interface TIdList {
  /** Ids back to back (ASCII / UTF-8); id i is bytes[starts[i], starts[i + 1]). */
  bytes: Buffer;
  starts: Uint32Array;
  count: number;
}

export interface TScanBatch {
  sessions: TIdList;
  /** Seconds left when read; -1 = never expires or not reported. */
  ttl: Int32Array;
  /** Bytes of the session's primary key/value; 0 when the store does not report it cheaply. */
  size: Uint32Array;
  /** Last access, unix seconds on the console's clock; 0 = unknown. */
  lastAccess: Uint32Array;
  /** Sessions whose backup copy this node holds (MSM `bak:` keys); null for kinds without backups. */
  backups: TIdList | null;
  /** Keys read in this batch, every role (compared with the node's own item count). */
  keys: number;
}

/** Accumulates one batch; `take()` hands it over and starts the next. */
export class ScanBatchWriter {
  private ids = new IdListWriter();
  private backupIds = new IdListWriter();
  // Typed from the start: number[] columns copied into typed arrays at take() were a fair part of the
  // scan's garbage (a batch per chunk read, some 300 sessions each, four million keys a scan).
  private ttl = new Int32Array(256);
  private size = new Uint32Array(256);
  private lastAccess = new Uint32Array(256);
  private n = 0;
  private keys = 0;

  get count(): number {
    return this.n;
  }

  countKeys(n = 1): void {
    this.keys += n;
  }

  /** A session whose id is bytes [start, end) of `buf`. */
  addSession(buf: Buffer, start: number, end: number, ttl: number, size: number, lastAccess: number): void {
    this.ids.add(buf, start, end);
    this.push(ttl, size, lastAccess);
  }

  addSessionId(id: string, ttl: number | null, size: number, lastAccess: number | null): void {
    this.ids.addString(id);
    this.push(ttl ?? -1, size, lastAccess ?? 0);
  }

  addBackup(buf: Buffer, start: number, end: number): void {
    this.backupIds.add(buf, start, end);
  }

  take(): TScanBatch {
    const batch: TScanBatch = {
      sessions: this.ids.take(),
      ttl: this.ttl.slice(0, this.n),
      size: this.size.slice(0, this.n),
      lastAccess: this.lastAccess.slice(0, this.n),
      backups: this.backupIds.length > 0 ? this.backupIds.take() : null,
      keys: this.keys,
    };
    this.n = 0;
    this.keys = 0;
    return batch;
  }

  private push(ttl: number, size: number, lastAccess: number): void {
    const k = this.n;
    if (k === this.ttl.length) {
      this.ttl = grown(this.ttl);
      this.size = grown(this.size);
      this.lastAccess = grown(this.lastAccess);
    }
    this.ttl[k] = Math.max(-1, Math.min(ttl, 2 ** 31 - 1));
    this.size[k] = Math.max(0, Math.min(size, 2 ** 32 - 1));
    this.lastAccess[k] = Math.max(0, Math.min(lastAccess, 2 ** 32 - 1));
    this.n = k + 1;
  }
}

/** Ids appended as bytes, handed over as a TIdList. */
export class IdListWriter {
  private buf = Buffer.allocUnsafe(4096);
  private used = 0;
  private starts = new Uint32Array(257);
  length = 0;

  add(src: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    copyBytes(src, start, end, this.buf, this.used);
    this.used += end - start;
    this.pushStart();
  }

  addString(id: string): void {
    const n = Buffer.byteLength(id);
    this.reserve(n);
    this.buf.write(id, this.used, "utf8");
    this.used += n;
    this.pushStart();
  }

  take(): TIdList {
    // The batch takes the buffer itself (no copy); the next batch starts a buffer sized on this one.
    const list = {
      bytes: this.buf.subarray(0, this.used),
      starts: this.starts.slice(0, this.length + 1),
      count: this.length,
    };
    this.buf = Buffer.allocUnsafe(Math.max(4096, this.used + (this.used >>> 3)));
    this.used = 0;
    this.length = 0;
    return list;
  }

  private pushStart(): void {
    if (this.length + 2 > this.starts.length) this.starts = grown(this.starts);
    this.starts[++this.length] = this.used;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}

/** The id at position i of a list, as text (for the few ids an answer shows). */
export function idAt(list: TIdList, i: number): string {
  return list.bytes.toString("utf8", list.starts[i], list.starts[i + 1]);
}

/** Route sessions' ids as text, grouped by the node holding each (for clients that take strings). */
export function idsByNode(ids: TIdList, node: Uint16Array, nodeNames: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.count; i++) {
    const name = nodeNames[node[i]!]!;
    let list = out.get(name);
    if (!list) out.set(name, (list = []));
    list.push(idAt(ids, i));
  }
  return out;
}

/** An id list built from strings (tests, and checks that start from text). */
export function idListOf(ids: readonly string[]): TIdList {
  const w = new IdListWriter();
  for (const id of ids) w.addString(id);
  return w.take();
}

function grown<T extends Int32Array | Uint32Array>(a: T): T {
  const next = new (a.constructor as new (n: number) => T)(a.length * 2);
  next.set(a);
  return next;
}
