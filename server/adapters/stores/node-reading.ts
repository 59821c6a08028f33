/**
 * One store node's figures from one stats poll, normalized across kinds so the health rules, charts and
 * alerts read them the same way; what only one kind has stays in `details`, shown as it is.
 */

/** Cumulative counters (rates are derived between polls; a counter that goes down means a restart). */
export interface TStoreCounters {
  /** Lookups that found the key / did not (memcached get_hits/get_misses, Redis keyspace_hits/misses). */
  hits?: number;
  misses?: number;
  /** Items removed for room (memcached evictions, Redis evicted_keys). */
  evictions?: number;
  /** Items that expired (Redis expired_keys, memcached reclaimed, Tomcat expiredSessions). */
  expired?: number;
  /** Commands served (memcached cmd_get + cmd_set, Redis total_commands_processed). */
  commands?: number;
  /** Sessions created (Tomcat sessionCounter). */
  created?: number;
  /** Sessions refused for maxActiveSessions (Tomcat rejectedSessions). */
  rejected?: number;
}
export type TStoreCounter = keyof TStoreCounters;
export const STORE_COUNTERS = [
  "hits",
  "misses",
  "evictions",
  "expired",
  "commands",
  "created",
  "rejected",
] as const satisfies readonly TStoreCounter[];

export interface TStoreNodeReading {
  version: string;
  /** Seconds since the server (or, for a Tomcat, its context) started; null when not reported. */
  uptimeSeconds: number | null;
  /** Items the node holds: memcached curr_items, Redis keys of the store's db, table rows, active sessions. */
  items: number;
  /** Memory (or disk, for a table) the data takes, and its limit; null when unknown or unlimited. */
  memoryUsedBytes: number | null;
  memoryLimitBytes: number | null;
  /** Client connections open now; null when not reported. */
  connections: number | null;
  counters: TStoreCounters;
  /**
   * The node's eviction setting when it can drop session keys for room (Redis maxmemory-policy other
   * than noeviction); null when it cannot, or the kind has no such setting.
   */
  evictingPolicy: string | null;
  /** Kind-specific readings, shown as they are: role and replication, maxmemory-policy, rows past expiry, … */
  details: Record<string, string | number | null>;
}
