import { compareBytes, copyBytes, startsWithBytes } from "@/server/adapters/stores/bytes";

/**
 * Session ids of one store's index, as bytes: chunks of 65,536 ids, each one Buffer with the ids back to
 * back and their start offsets. A million 43-byte MSM ids take 47 MB this way, against some 110 MB as
 * JavaScript strings (which also load the garbage collector). Chunks let a rebuild write the new column
 * while it drops the old one chunk by chunk, so two full id columns never live at once.
 */
export const CHUNK_BITS = 16;
export const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export interface TIdChunk {
  bytes: Buffer;
  /** starts[k] … starts[k + 1] is the k-th id of the chunk; length = ids + 1. */
  starts: Uint32Array;
}

export class IdColumn {
  constructor(
    readonly chunks: Array<TIdChunk | null>,
    readonly length: number,
  ) {}

  static empty(): IdColumn {
    return new IdColumn([], 0);
  }

  get(i: number): string {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const k = i & MASK;
    // Ids are printable ASCII (session-id.ts: what the scans keep), so latin1 reads them exactly, and is
    // several times faster than utf8 when a check lists a third of a million of them.
    return c.bytes.toString("latin1", c.starts[k], c.starts[k + 1]);
  }

  /** Byte length of id i. */
  lengthOf(i: number): number {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const k = i & MASK;
    return c.starts[k + 1]! - c.starts[k]!;
  }

  /** The chunk holding id i and its byte range there (for copying without a string). */
  locate(i: number): { bytes: Buffer; start: number; end: number } {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const k = i & MASK;
    return { bytes: c.bytes, start: c.starts[k]!, end: c.starts[k + 1]! };
  }

  /** Compares id i with bytes [start, end) of `other`: negative, 0 or positive, as Buffer.compare. */
  compareWith(i: number, other: Buffer, start: number, end: number): number {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const k = i & MASK;
    return compareBytes(c.bytes, c.starts[k]!, c.starts[k + 1]!, other, start, end);
  }

  /** Does id i start with `prefix`? */
  startsWith(i: number, prefix: Buffer): boolean {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const k = i & MASK;
    const s = c.starts[k]!;
    return startsWithBytes(c.bytes, s, c.starts[k + 1]!, prefix);
  }

  /** First position whose id is ≥ `key` (the column is sorted by bytes). */
  lowerBound(key: Buffer): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareWith(mid, key, 0, key.length) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of exactly `key`, or -1. */
  indexOf(key: Buffer): number {
    const i = this.lowerBound(key);
    return i < this.length && this.compareWith(i, key, 0, key.length) === 0 ? i : -1;
  }

  /** Lets a rebuild free what it has already copied (the column is unusable afterwards). */
  release(chunk: number): void {
    this.chunks[chunk] = null;
  }

  /** Bytes held (ids + offsets). */
  byteSize(): number {
    let n = 0;
    for (const c of this.chunks) if (c) n += c.bytes.length + c.starts.byteLength;
    return n;
  }
}

/** Appends ids in order; each full chunk is trimmed to its exact size. */
export class IdColumnWriter {
  private readonly chunks: TIdChunk[] = [];
  private buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private starts = new Uint32Array(CHUNK + 1);
  private inChunk = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.used + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    copyBytes(src, start, end, this.buf, this.used);
    this.used += n;
    this.inChunk++;
    this.starts[this.inChunk] = this.used;
    this.total++;
    if (this.inChunk === CHUNK) this.seal();
  }

  finish(): IdColumn {
    if (this.inChunk > 0) this.seal();
    return new IdColumn(this.chunks, this.total);
  }

  private seal(): void {
    // The buffer is handed over as it is when it is nearly full (copying 3 MB per chunk showed in the
    // profile); the next chunk's buffer is sized on this one, with a little room.
    const full = this.used * 8 >= this.buf.length * 7;
    this.chunks.push({
      bytes: full ? this.buf.subarray(0, this.used) : Buffer.from(this.buf.subarray(0, this.used)),
      starts: this.starts.slice(0, this.inChunk + 1),
    });
    this.buf = Buffer.allocUnsafeSlow(Math.max(1 << 16, Math.ceil(this.used * 1.05)));
    this.used = 0;
    this.inChunk = 0;
    this.starts = new Uint32Array(CHUNK + 1);
  }
}

/** FNV-1a of bytes [start, end): the index's hash of an id (and, with a second seed, of a backup's id). */
export function hashBytes(buf: Buffer, start: number, end: number, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = start; i < end; i++) {
    h ^= buf[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
