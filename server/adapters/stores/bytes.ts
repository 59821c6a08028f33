/**
 * Byte-range helpers for the scan paths (a million sessions are four million metadump lines).
 *
 * Why not Buffer#compare / #copy / #indexOf: each is a call into C++ costing some 50–100 ns before it
 * touches a byte, which is more than comparing or copying a 40-byte session id in a plain loop that V8
 * compiles to machine code. Profiled on 1,000,000 MSM sessions: native compare/copy calls were a third of
 * the scan's CPU. The native calls stay for long ranges (LONG), where their per-byte speed wins.
 */
const LONG = 96;

/** Do bytes [start, end) of `buf` begin with all of `prefix`? */
export function startsWithBytes(buf: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (end - start < n) return false;
  for (let k = 0; k < n; k++) if (buf[start + k] !== prefix[k]) return false;
  return true;
}

/** Byte order of a[as, ae) and b[bs, be): negative, 0 or positive, as Buffer.compare. */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

/** Copies src[start, end) into dst at `at`. */
export function copyBytes(src: Buffer, start: number, end: number, dst: Buffer, at: number): void {
  const n = end - start;
  if (n > LONG) {
    src.copy(dst, at, start, end);
    return;
  }
  for (let k = 0; k < n; k++) dst[at + k] = src[start + k]!;
}

/** First position of `byte` in buf[from, end), or -1. */
export function indexOfByte(buf: Uint8Array, byte: number, from: number, end: number): number {
  for (let k = from; k < end; k++) if (buf[k] === byte) return k;
  return -1;
}
