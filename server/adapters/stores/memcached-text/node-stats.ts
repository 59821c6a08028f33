import type { TStoreNodeReading } from "@/server/adapters/stores/node-reading";

/**
 * memcached `stats` (doc/protocol.txt "General-purpose statistics"; captured from 1.6.18 in
 * __fixtures__/stats-1.6.18.txt) as a store node reading. Pure.
 *
 * memcached evicts by design (LRU) unless started with -M, so there is no "evicting policy" warning for
 * it: the evictions counter says when it actually drops items.
 */
export function memcachedReading(stats: Record<string, string>): TStoreNodeReading {
  const n = (name: string): number => Number(stats[name] ?? 0);
  const opt = (name: string): number | undefined => (stats[name] === undefined ? undefined : Number(stats[name]));
  return {
    version: stats.version ?? "",
    uptimeSeconds: opt("uptime") ?? null,
    items: n("curr_items"),
    memoryUsedBytes: n("bytes"),
    memoryLimitBytes: opt("limit_maxbytes") ?? null,
    connections: opt("curr_connections") ?? null,
    counters: {
      hits: n("get_hits"),
      misses: n("get_misses"),
      evictions: n("evictions"),
      expired: n("reclaimed"),
      // Meta commands (mg/ms/md, memcached ≥ 1.6) are counted apart from the classic get/set.
      commands: n("cmd_get") + n("cmd_set") + n("cmd_touch") + n("cmd_meta"),
    },
    evictingPolicy: null,
    details: {
      totalItems: n("total_items"),
      cmdGet: n("cmd_get"),
      cmdSet: n("cmd_set"),
      expiredUnfetched: n("expired_unfetched"),
      evictedUnfetched: n("evicted_unfetched"),
      reclaimed: n("reclaimed"),
      lruCrawlerRunning: n("lru_crawler_running"),
      lruCrawlerStarts: n("lru_crawler_starts"),
    },
  };
}
