import { afterAll, describe, expect, it } from "vitest";
import { labStoreEndpoints } from "@/e2e/lab/seed-sessions";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import type { TStoredKey } from "@/server/adapters/stores/types";
import { enumerateMemcachedKeys } from "./enumerate";
import { memcachedMsmAdapter } from "./index";

// Lab memcached n1/n2 (lab.env). Only this run's keys are asserted on; other keys may exist.
const nodes = labStoreEndpoints().memcached;
const run = `enum-${process.pid}-${Date.now()}`;
const clients = nodes.map((n) => new MemcachedTextClient({ host: n.host, port: n.port, timeoutMs: 5000 }));

afterAll(async () => {
  for (const c of clients) {
    for (let i = 0; i < 30; i++) await c.metaDelete(`${run}:${i}`).catch(() => {});
    c.close();
  }
});

describe("enumerateMemcachedKeys against the lab", () => {
  it("lists every key of both nodes with node id, remaining TTL, size and last access", async () => {
    for (let i = 0; i < 30; i++) {
      await clients[i % 2]!.metaSet(`${run}:${i}`, Buffer.from(`value-${i}`), { ttlSeconds: i % 3 === 0 ? 0 : 600 });
    }
    {
      const mine: TStoredKey[] = [];
      for await (const k of enumerateMemcachedKeys(nodes)) if (k.key.startsWith(run)) mine.push(k);
      expect(mine).toHaveLength(30);
      const k3 = mine.find((k) => k.key === `${run}:3`)!;
      expect(k3.node).toBe(nodes[1]!.id);
      expect(k3.ttlSeconds).toBeNull();
      const k4 = mine.find((k) => k.key === `${run}:4`)!;
      expect(k4.node).toBe(nodes[0]!.id);
      expect(k4.ttlSeconds).toBeGreaterThan(590);
      expect(k4.ttlSeconds).toBeLessThanOrEqual(600);
      expect(k4.size).toBeGreaterThan(`${run}:4`.length);
      expect(k4.lastAccess).toBeGreaterThan(1_600_000_000);
    }
  });

  it("reads node stats", async () => {
    const s = await memcachedMsmAdapter.readNodeStats(
      { name: "msm", kind: "memcached-msm", nodes, options: {} },
      nodes[0]!,
      3000,
    );
    expect(s.items).toBeGreaterThanOrEqual(0);
    expect(s.memoryLimitBytes).toBeGreaterThan(0);
    expect(s.uptimeSeconds).toBeGreaterThan(0);
    expect(s.version).toMatch(/^1\./);
  });
});
