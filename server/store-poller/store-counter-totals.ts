import { STORE_COUNTERS, type TStoreCounters } from "@/server/adapters/stores/node-reading";

/**
 * A store node's counters (hits, misses, evictions, …) start again from zero when the server restarts,
 * and memcached's `stats reset` zeroes them without a restart. /metrics exports them as Prometheus
 * counters kept monotonic the way member counters are (server/metrics/monotonic-counters.ts): the value
 * a counter had before it started over is added to a base, and base + reading never goes back. The
 * base is kept per node in the live table, so the restart the poller detects from the node's uptime also
 * counts when a counter has already climbed past its old value by the next poll.
 */
export function nextCounterBase(
  base: TStoreCounters,
  last: TStoreCounters | null,
  next: TStoreCounters,
  restarted: boolean,
): TStoreCounters {
  if (!last) return base;
  const out: TStoreCounters = { ...base };
  for (const k of STORE_COUNTERS) {
    const before = last[k];
    const now = next[k];
    if (before === undefined || now === undefined) continue;
    if (restarted || now < before) out[k] = (out[k] ?? 0) + before;
  }
  return out;
}

/** A counter as /metrics exports it: the reading plus the base; undefined when the kind has no such counter. */
export function counterTotal(
  base: TStoreCounters,
  reading: TStoreCounters,
  k: keyof TStoreCounters,
): number | undefined {
  const v = reading[k];
  return v === undefined ? undefined : v + (base[k] ?? 0);
}
