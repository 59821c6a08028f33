import { describe, expect, it } from "vitest";
import type { TStoreNodeReading } from "@/server/adapters/stores/node-reading";
import { ConsoleMetrics } from "@/server/metrics/console-metrics";
import { writeStoreNodes, type TStoreNodeMetricsInput } from "@/server/metrics/store-node-metrics";

function reading(over: Partial<TStoreNodeReading> = {}): TStoreNodeReading {
  return {
    version: "1.6.21",
    uptimeSeconds: 3600,
    items: 4000,
    memoryUsedBytes: 1_000_000,
    memoryLimitBytes: 67_108_864,
    connections: 12,
    counters: { hits: 900, misses: 100, evictions: 0, commands: 5000 },
    evictingPolicy: null,
    details: {},
    ...over,
  };
}

function node(name: string, over: Partial<TStoreNodeMetricsInput> = {}): TStoreNodeMetricsInput {
  return {
    storeId: 7,
    cluster: "shop",
    store: "msm",
    node: name,
    up: true,
    lastGoodAt: new Date(1_700_000_000_000),
    durationMs: 12,
    reading: reading(),
    restartsDetected: 0,
    counterBase: {},
    ...over,
  };
}

/** The value of one series of a scrape, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const L = 'cluster="shop",store="msm",node="n1"';

describe("store-node metrics", () => {
  it("exports a node's reading, poll outcome and the index's sessions under cluster, store and node", () => {
    const text = writeStoreNodes([node("n1")], (storeId, n) => (storeId === 7 && n === "n1" ? 321 : null));
    const expected: Record<string, number> = {
      up: 1,
      memory_used_bytes: 1_000_000,
      memory_limit_bytes: 67_108_864,
      items: 4000,
      sessions: 321,
      hits_total: 900,
      misses_total: 100,
      evictions_total: 0,
      connections: 12,
      restarts_total: 0,
      last_poll_duration_seconds: 0.012,
      last_success_timestamp_seconds: 1_700_000_000,
    };
    for (const [family, value] of Object.entries(expected))
      expect(sample(text, `clusterdeck_store_node_${family}{${L}}`), family).toBe(value);
    // one TYPE line per family, counters typed as counters
    expect(text).toContain("# TYPE clusterdeck_store_node_hits_total counter\n");
    expect(text).toContain("# TYPE clusterdeck_store_node_items gauge\n");
  });

  it("leaves out what a node does not report, and sessions before a scan, rather than exporting a false 0", () => {
    const tomcat = node("n1", {
      reading: reading({ memoryUsedBytes: null, memoryLimitBytes: null, connections: null, counters: { created: 5 } }),
    });
    const text = writeStoreNodes([tomcat], () => null);
    for (const family of [
      "memory_used_bytes",
      "memory_limit_bytes",
      "connections",
      "hits_total",
      "misses_total",
      "evictions_total",
      "sessions",
    ])
      expect(sample(text, `clusterdeck_store_node_${family}{${L}}`), family).toBeUndefined();
    expect(sample(text, `clusterdeck_store_node_items{${L}}`)).toBe(4000);
  });

  it("keeps a down node's last reading with up 0, and a node never polled has no up series", () => {
    const down = node("n1", { up: false, durationMs: 2000 });
    const fresh = node("n2", { up: null, reading: null, durationMs: null, lastGoodAt: null });
    const text = writeStoreNodes([down, fresh], () => null);
    expect(sample(text, `clusterdeck_store_node_up{${L}}`)).toBe(0);
    expect(sample(text, `clusterdeck_store_node_items{${L}}`)).toBe(4000);
    expect(sample(text, `clusterdeck_store_node_last_poll_duration_seconds{${L}}`)).toBe(2);
    expect(text).not.toContain('clusterdeck_store_node_up{cluster="shop",store="msm",node="n2"}');
    expect(sample(text, 'clusterdeck_store_node_restarts_total{cluster="shop",store="msm",node="n2"}')).toBe(0);
  });

  it("adds the counters' base, so hits never go back across a restart", () => {
    const text = writeStoreNodes(
      [node("n1", { restartsDetected: 1, counterBase: { hits: 5000 }, reading: reading({ counters: { hits: 3 } }) })],
      () => null,
    );
    expect(sample(text, `clusterdeck_store_node_hits_total{${L}}`)).toBe(5003);
    expect(sample(text, `clusterdeck_store_node_restarts_total{${L}}`)).toBe(1);
  });

  it("drops a removed node's series at the next scrape", async () => {
    let nodes = [node("n1"), node("n2")];
    const m = new ConsoleMetrics({
      views: () => [],
      sessions: () => null,
      storeNodes: () => nodes,
      storeNodeSessions: () => 1,
    });
    expect(await m.scrape()).toContain('node="n2"');
    nodes = [node("n1")];
    const text = await m.scrape();
    expect(text).not.toContain('node="n2"');
    expect(sample(text, `clusterdeck_store_node_up{${L}}`)).toBe(1);
  });
});
