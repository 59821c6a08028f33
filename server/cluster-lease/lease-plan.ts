import { createHash } from "node:crypto";

export interface TLeasePlanInput {
  instanceId: string;
  /** Duties this instance holds now. */
  held: readonly string[];
  /** Every duty that exists now. */
  duties: readonly string[];
  /** Instances alive now (this one included). */
  liveInstances: number;
}

export interface TLeasePlan {
  /** Held duties to give up: gone from the inventory, or more than this instance's share. */
  release: string[];
  /** How many more duties to claim, from the free ones. */
  claim: number;
}

/**
 * Each instance holds at most its share, ceil(duties / live instances): three instances never leave one
 * owning everything, and when one dies its duties fit in the others' raised shares. Which duties to keep
 * or give up is decided by a rank per (instance, duty) (rendezvous hashing), so instances prefer
 * different duties and do not all race for the same free ones.
 */
export function planLeases(input: TLeasePlanInput): TLeasePlan {
  const exists = new Set(input.duties);
  const gone = input.held.filter((d) => !exists.has(d));
  const kept = input.held.filter((d) => exists.has(d));
  const share = Math.ceil(input.duties.length / Math.max(1, input.liveInstances));
  const excess = Math.max(0, kept.length - share);
  const givenUp = byRank(input.instanceId, kept).slice(kept.length - excess);
  return { release: [...gone, ...givenUp], claim: Math.max(0, share - (kept.length - excess)) };
}

/** Free duties in this instance's order of preference (best first). */
export function pickDuties(instanceId: string, free: readonly string[], count: number): string[] {
  return byRank(instanceId, free).slice(0, count);
}

function byRank(instanceId: string, duties: readonly string[]): string[] {
  return duties
    .map((d) => ({ d, rank: createHash("sha1").update(`${instanceId}\u0000${d}`).digest("hex") }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map((x) => x.d);
}
