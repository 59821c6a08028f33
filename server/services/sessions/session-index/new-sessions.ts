import { compareBytes } from "@/server/adapters/stores/bytes";
import { identity } from "@/server/services/sessions/session-index/radix";

/** Words per session's record (see NewSessionBucket.rec). */
export const REC = 4;
const SEED_B = 0x9747b28c;
/** Positions in a run sort with their key as key · 2^21 + position: exact in a double up to 2^53. */
const POS_BITS = 2 ** 21;
/** Runs this short are sorted by comparing ids, with no key. */
const SMALL_RUN = 16;

/**
 * The sessions a scan found that the previous index does not have (on a first scan: all of them), kept in
 * buckets by the first two bytes of their ids, each bucket sorted and merged on its own at commit.
 *
 * Why buckets: commit reads these sessions in id order. Sorted as one list of a million, that order visits
 * their ids, records and backup keys at random, a cache and TLB miss each: profiled at about 1.4 µs a
 * row, most of commit()'s time. A bucket of random session ids holds a few thousand of them, whose bytes
 * stay in the cache while the bucket is sorted and merged; the buckets themselves are written one append
 * at a time during the scan.
 */
export class NewSessions {
  /** By the ids' first two bytes (first byte · 256 + second; 0 for the second of a one-byte id). */
  private readonly buckets: Array<NewSessionBucket | undefined> = [];
  length = 0;

  /** A session whose id is bytes [start, end) of `bytes`, with its record (REC words). */
  add(bytes: Buffer, start: number, end: number, r0: number, r1: number, r2: number, r3: number): void {
    this.bucketOf(bytes, start, end).add(bytes, start, end, r0, r1, r2, r3);
    this.length++;
  }

  /** The id at [start, end) has its backup copy somewhere: kept as its 53-bit key, beside its bucket's ids. */
  addBackup(bytes: Buffer, start: number, end: number): void {
    this.bucketOf(bytes, start, end).addBackup(backupKey(bytes, start, end));
  }

  /** Non-empty buckets, in id order (every id of one sorts before every id of the next). */
  inOrder(): NewSessionBucket[] {
    return this.buckets.filter((b): b is NewSessionBucket => b !== undefined);
  }

  private bucketOf(bytes: Buffer, start: number, end: number): NewSessionBucket {
    const at = (bytes[start]! << 8) | (start + 1 < end ? bytes[start + 1]! : 0);
    return (this.buckets[at] ??= new NewSessionBucket());
  }
}

export class NewSessionBucket {
  /** Ids back to back; id k is bytes[starts[k], starts[k + 1]). */
  bytes = Buffer.allocUnsafe(1024);
  starts = new Uint32Array(32);
  length = 0;
  /** REC words per session: node | route << 16, expires, size, last access. */
  rec = new Uint32Array(32 * REC);
  /** Backup keys (backupKey) of ids in this bucket. */
  backups = new Float64Array(0);
  backupCount = 0;

  add(src: Buffer, start: number, end: number, r0: number, r1: number, r2: number, r3: number): void {
    const k = this.length;
    const from = this.starts[k]!;
    const n = end - start;
    if (k + 2 > this.starts.length) {
      this.starts = grown(this.starts, k + 2);
      this.rec = grown(this.rec, (k + 1) * REC);
    }
    if (from + n > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, from + n));
      this.bytes.copy(next, 0, 0, from);
      this.bytes = next;
    }
    // A plain loop: an id is some 40 bytes, less than the cost of a native copy call (bytes.ts).
    const dst = this.bytes;
    for (let b = 0; b < n; b++) dst[from + b] = src[start + b]!;
    this.starts[k + 1] = from + n;
    const r = k * REC;
    this.rec[r] = r0;
    this.rec[r + 1] = r1;
    this.rec[r + 2] = r2;
    this.rec[r + 3] = r3;
    this.length = k + 1;
  }

  addBackup(key: number): void {
    if (this.backupCount === this.backups.length) this.backups = grown(this.backups, this.backupCount + 1);
    this.backups[this.backupCount++] = key;
  }

  /** Compares id k of this bucket with bytes [start, end) of `other`. */
  compareWith(k: number, other: Buffer, start: number, end: number): number {
    return compareBytes(this.bytes, this.starts[k]!, this.starts[k + 1]!, other, start, end);
  }

  /** The bucket's positions in id order; equal ids (one session from several nodes) in the order added. */
  sortedRows(): Uint32Array {
    const order = identity(this.length);
    this.sortRun(order, 0, this.length, 2);
    return order;
  }

  /** The backup keys as a set (null when none). */
  backupSet(): KeySet | null {
    return this.backupCount > 0 ? new KeySet(this.backups.subarray(0, this.backupCount)) : null;
  }

  /**
   * Orders order[from, to), rows whose ids agree on their first `at` bytes: by the four bytes from `at`
   * (one native sort of numbers), then each run that shares those by the next four, and so on. A run whose
   * ids all end within the four bytes is a run of equal ids, left in its order.
   */
  private sortRun(order: Uint32Array, from: number, to: number, at: number): void {
    const n = to - from;
    if (n < 2) return;
    if (n <= SMALL_RUN || n >= POS_BITS) {
      // Short runs, and (never seen: two million ids sharing their first bytes) very long ones.
      order.subarray(from, to).sort((a, b) => this.compareRows(a, b) || a - b);
      return;
    }
    const keys = new Float64Array(n);
    let longest = 0;
    for (let k = 0; k < n; k++) {
      const row = order[from + k]!;
      const s = this.starts[row]!;
      const e = this.starts[row + 1]!;
      if (e - s > longest) longest = e - s;
      keys[k] = this.word(s + at, e) * POS_BITS + k;
    }
    keys.sort();
    const rows = order.slice(from, to);
    for (let k = 0; k < n; k++) order[from + k] = rows[keys[k]! % POS_BITS]!;
    if (at + 4 >= longest) return;
    let runStart = 0;
    let runWord = Math.floor(keys[0]! / POS_BITS);
    for (let k = 1; k <= n; k++) {
      const w = k < n ? Math.floor(keys[k]! / POS_BITS) : -1;
      if (w === runWord) continue;
      if (k - runStart > 1) this.sortRun(order, from + runStart, from + k, at + 4);
      runStart = k;
      runWord = w;
    }
  }

  private compareRows(a: number, b: number): number {
    return compareBytes(
      this.bytes,
      this.starts[a]!,
      this.starts[a + 1]!,
      this.bytes,
      this.starts[b]!,
      this.starts[b + 1]!,
    );
  }

  /** Four bytes from `at` as a big-endian number, zero-padded past `end` (ids hold no zero byte). */
  private word(at: number, end: number): number {
    const b = this.bytes;
    if (at + 4 <= end) return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    let w = 0;
    for (let k = 0; k < 4; k++) w = w * 256 + (at + k < end ? b[at + k]! : 0);
    return w;
  }
}

/** A backup's id as one 53-bit number (two FNV hashes, one pass): exact enough to mark a million rows. */
export function backupKey(bytes: Buffer, start: number, end: number): number {
  let a = 0x811c9dc5;
  let b = SEED_B;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff);
}

/**
 * Backup keys as an open-addressing hash set: a probe costs one or two reads where a binary search of
 * sorted keys costs some twenty. Slots hold positions in `keys` (+1; 0 = empty), not the keys: half the
 * memory of a table of keys, which counts during a rescan, when the previous index is still alive.
 */
export class KeySet {
  private readonly slots: Uint32Array;
  private readonly mask: number;

  constructor(private readonly keys: Float64Array) {
    let size = 16;
    while (size < keys.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Uint32Array(size);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      let slot = slotOf(key) & this.mask;
      for (;;) {
        const at = this.slots[slot]!;
        if (at === 0) {
          this.slots[slot] = k + 1;
          break;
        }
        if (keys[at - 1] === key) break;
        slot = (slot + 1) & this.mask;
      }
    }
  }

  has(key: number): boolean {
    let slot = slotOf(key) & this.mask;
    for (;;) {
      const at = this.slots[slot]!;
      if (at === 0) return false;
      if (this.keys[at - 1] === key) return true;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** The first hash of a backup key (its high 32 bits): spread well enough to pick a slot. */
function slotOf(key: number): number {
  return (key / 2 ** 21) >>> 0;
}

function grown<T extends Uint32Array | Float64Array>(a: T, atLeast: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(16, a.length * 2, atLeast));
  next.set(a);
  return next;
}
