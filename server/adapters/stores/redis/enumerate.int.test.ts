import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labStoreEndpoints } from "@/e2e/lab/seed-sessions";
import type { TStoredKey } from "@/server/adapters/stores/types";
import { enumerateRedisKeys } from "./enumerate";

// Lab Redis r1 (lab.env LAB_REDIS1_PORT). Keys carry a per-run prefix and are deleted afterwards.
const url = labStoreEndpoints().redis[0]!;
const run = `enum-${process.pid}-${Date.now()}`;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const p = redis.pipeline();
  for (let i = 0; i < 2500; i++) p.set(`${run}:s:${i}`, "x".repeat(100), "EX", 900);
  p.hset(`${run}:h`, { a: "1", b: "2" });
  p.set(`${run}:forever`, "y");
  await p.exec();
});
afterAll(async () => {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${run}:*`, count: 1000 })) keys.push(...(batch as string[]));
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  redis.disconnect();
});

describe("enumerateRedisKeys against the lab", () => {
  it("scans only matching keys, with TTL and MEMORY USAGE size", async () => {
    const got: TStoredKey[] = [];
    for await (const k of enumerateRedisKeys(url, { match: `${run}:*`, count: 500, nodeId: "r1" })) got.push(k);
    const unique = new Map(got.map((k) => [k.key, k]));
    expect(unique.size).toBe(2502);
    const s = unique.get(`${run}:s:7`)!;
    expect(s.node).toBe("r1");
    expect(s.ttlSeconds).toBeGreaterThan(880);
    expect(s.ttlSeconds).toBeLessThanOrEqual(900);
    expect(s.size).toBeGreaterThan(100);
    expect(unique.get(`${run}:forever`)!.ttlSeconds).toBeNull();
    expect(unique.get(`${run}:h`)!.size).toBeGreaterThan(0);
  });

  it("can skip the size query", async () => {
    let n = 0;
    for await (const k of enumerateRedisKeys(url, { match: `${run}:h`, size: "none" })) {
      expect(k.size).toBe(0);
      n++;
    }
    expect(n).toBe(1);
  });
});
