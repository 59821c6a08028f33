import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRedisInfo, redisReading } from "./node-stats";

const captured = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__/info-7.0.15.txt"), "utf8");

describe("redisReading", () => {
  it("reads a captured 7.0.15 INFO of an empty master", () => {
    expect(redisReading(parseRedisInfo(captured), 0)).toEqual({
      version: "7.0.15",
      uptimeSeconds: 2591,
      items: 0,
      memoryUsedBytes: 1213504,
      memoryLimitBytes: null,
      connections: 1,
      counters: { hits: 2508, misses: 2002, evictions: 0, expired: 0, commands: 5034 },
      evictingPolicy: null,
      details: { role: "master", connectedReplicas: 0, maxmemoryPolicy: "noeviction", opsPerSecNow: 0, keysWithTtl: 0 },
    });
  });

  it("counts the store's db, names an evicting policy and reads a replica's link", () => {
    const info = parseRedisInfo(
      `${captured.replace("maxmemory:0", "maxmemory:104857600").replace("maxmemory_policy:noeviction", "maxmemory_policy:allkeys-lru").replace("role:master", "role:slave\r\nmaster_host:10.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:down")}\r\n# Keyspace\r\ndb0:keys=7,expires=7,avg_ttl=100\r\ndb2:keys=3,expires=0,avg_ttl=0\r\n`,
    );
    const r = redisReading(info, 2);
    expect(r).toMatchObject({ items: 3, memoryLimitBytes: 104857600, evictingPolicy: "allkeys-lru" });
    expect(r.details).toMatchObject({
      role: "slave",
      masterHost: "10.0.0.1:6379",
      masterLinkStatus: "down",
      maxmemoryPolicy: "allkeys-lru",
      keysWithTtl: 0,
      "keys.db0": 7,
      "keys.db2": 3,
    });
  });
});
