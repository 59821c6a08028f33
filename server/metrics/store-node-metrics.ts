import type { TStoreCounter } from "@/server/adapters/stores/node-reading";
import { ExpositionWriter, counter, gauge, labelText, type TFamilyDef } from "@/server/metrics/exposition";
import { counterTotal } from "@/server/store-poller/store-counter-totals";
import type { TStoreNodeLive } from "@/server/store-poller/store-live-state";

/** What a scrape reads of one store node: its row of the store poller's live table. */
export type TStoreNodeMetricsInput = Pick<
  TStoreNodeLive,
  | "storeId"
  | "cluster"
  | "store"
  | "node"
  | "up"
  | "lastGoodAt"
  | "durationMs"
  | "reading"
  | "restartsDetected"
  | "counterBase"
>;

/** Every store-node family, in the order printed. The README lists the same names. */
export const STORE_NODE_FAMILIES: readonly TFamilyDef[] = [
  gauge(
    "clusterdeck_store_node_up",
    "1 when the store node's last stats poll answered, 0 when it failed (absent before its first poll).",
  ),
  gauge(
    "clusterdeck_store_node_memory_used_bytes",
    "Memory the node's data takes (memcached bytes, Redis used_memory; disk for a table), as of its last good poll.",
  ),
  gauge(
    "clusterdeck_store_node_memory_limit_bytes",
    "The node's memory limit (memcached limit_maxbytes, Redis maxmemory); absent when it has none or does not say.",
  ),
  gauge(
    "clusterdeck_store_node_items",
    "Items the node holds (memcached curr_items, Redis keys of the store's db, table rows, a Tomcat's active sessions).",
  ),
  gauge(
    "clusterdeck_store_node_sessions",
    "Sessions whose primary copy the cluster's session index saw on the node (as old as clusterdeck_session_index_age_seconds; absent before a scan).",
  ),
  counter(
    "clusterdeck_store_node_hits_total",
    "Lookups that found their key (memcached get_hits, Redis keyspace_hits), kept monotonic across node restarts.",
  ),
  counter(
    "clusterdeck_store_node_misses_total",
    "Lookups that did not find their key (memcached get_misses, Redis keyspace_misses), kept monotonic across node restarts.",
  ),
  counter(
    "clusterdeck_store_node_evictions_total",
    "Items the node removed for room (memcached evictions, Redis evicted_keys), kept monotonic across node restarts.",
  ),
  gauge(
    "clusterdeck_store_node_connections",
    "Client connections open on the node (absent where the kind does not report them).",
  ),
  counter(
    "clusterdeck_store_node_restarts_total",
    "Restarts of the node the console's polls detected (its uptime went back, or its counters started over) since the console started.",
  ),
  gauge(
    "clusterdeck_store_node_last_poll_duration_seconds",
    "How long the node's last stats poll took, answered or failed.",
  ),
  gauge(
    "clusterdeck_store_node_last_success_timestamp_seconds",
    "When the node last answered a stats poll (Unix time).",
  ),
];

const COUNTERS: ReadonlyArray<[string, TStoreCounter]> = [
  ["clusterdeck_store_node_hits_total", "hits"],
  ["clusterdeck_store_node_misses_total", "misses"],
  ["clusterdeck_store_node_evictions_total", "evictions"],
];

/**
 * The exposition of every store node's metrics, from the store poller's live table as it is now. A node
 * removed from the inventory is gone from that table, so its series go with it. While a node does not
 * answer, its figures are its last good reading (clusterdeck_store_node_up says it is down).
 */
export function writeStoreNodes(
  nodes: readonly TStoreNodeMetricsInput[],
  sessionsOnNode: (storeId: number, node: string) => number | null,
): string {
  const w = new ExpositionWriter(STORE_NODE_FAMILIES);
  for (const n of nodes) {
    const l = labelText([
      ["cluster", n.cluster],
      ["store", n.store],
      ["node", n.node],
    ]);
    if (n.up !== null) w.sample("clusterdeck_store_node_up", l, n.up ? 1 : 0);
    const r = n.reading;
    if (r) {
      if (r.memoryUsedBytes !== null) w.sample("clusterdeck_store_node_memory_used_bytes", l, r.memoryUsedBytes);
      if (r.memoryLimitBytes !== null) w.sample("clusterdeck_store_node_memory_limit_bytes", l, r.memoryLimitBytes);
      w.sample("clusterdeck_store_node_items", l, r.items);
      for (const [family, counter] of COUNTERS) {
        const v = counterTotal(n.counterBase, r.counters, counter);
        if (v !== undefined) w.sample(family, l, v);
      }
      if (r.connections !== null) w.sample("clusterdeck_store_node_connections", l, r.connections);
    }
    const sessions = sessionsOnNode(n.storeId, n.node);
    if (sessions !== null) w.sample("clusterdeck_store_node_sessions", l, sessions);
    w.sample("clusterdeck_store_node_restarts_total", l, n.restartsDetected);
    if (n.durationMs !== null) w.sample("clusterdeck_store_node_last_poll_duration_seconds", l, n.durationMs / 1000);
    if (n.lastGoodAt)
      w.sample("clusterdeck_store_node_last_success_timestamp_seconds", l, n.lastGoodAt.getTime() / 1000);
  }
  return w.toString();
}
