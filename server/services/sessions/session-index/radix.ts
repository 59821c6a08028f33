/**
 * Stable least-significant-digit radix sorts of row positions by unsigned 32-bit keys: O(n), 16 bits a
 * pass. A million rows sort in a few tens of milliseconds, where a comparator sort of the same rows takes
 * seconds; stability keeps ties in their given order (the id order of the index).
 */

const BUCKETS = 1 << 16;

function pass(keys: Uint32Array, from: Uint32Array, to: Uint32Array, shift: number, count: Uint32Array): void {
  count.fill(0);
  const n = from.length;
  for (let i = 0; i < n; i++) count[(keys[from[i]!]! >>> shift) & 0xffff]!++;
  let sum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const c = count[b]!;
    count[b] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const row = from[i]!;
    to[count[(keys[row]! >>> shift) & 0xffff]!++] = row;
  }
}

/** Positions 0…n-1 ordered by `keys[position]` ascending; equal keys keep position order. */
export function sortByKey(keys: Uint32Array): Uint32Array {
  return sortByKeys([keys]);
}

/**
 * Positions ordered by several keys, the first the most significant (e.g. the first and the next four
 * bytes of an id). `start` is the order to refine (default 0…n-1).
 */
export function sortByKeys(keys: Uint32Array[], start?: Uint32Array): Uint32Array {
  const n = keys[0]?.length ?? start?.length ?? 0;
  let a: Uint32Array = start ? Uint32Array.from(start) : identity(n);
  let b: Uint32Array = new Uint32Array(a.length);
  const count = new Uint32Array(BUCKETS);
  for (let k = keys.length - 1; k >= 0; k--) {
    for (const shift of [0, 16]) {
      pass(keys[k]!, a, b, shift, count);
      [a, b] = [b, a];
    }
  }
  return a;
}

/** 0, 1, …, n-1. */
export function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
