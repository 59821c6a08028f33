/**
 * Shapes shared by the session-store adapters (memcached MSM, Redis layouts). Transport-level only:
 * what a key listing yields, before any decoder says which session a key belongs to.
 */

/** One key as listed by a store node (metadump line or SCAN + PTTL). */
export type TStoredKey = {
  /** Store node id as configured (e.g. MSM `n1`), or host:port when the node has no id. */
  node: string;
  key: string;
  /** Bytes: memcached item total (header + key + value); Redis MEMORY USAGE (or value length when asked). */
  size: number;
  /** Remaining seconds; null = never expires. */
  ttlSeconds: number | null;
  /** Last access, unix seconds (server clock); null when the store does not report it cheaply. */
  lastAccess: number | null;
};

/** A store node addressed by id: MSM's `n1:host:port` or one Redis endpoint. */
export type TStoreNode = {
  id: string;
  host: string;
  port: number;
};
