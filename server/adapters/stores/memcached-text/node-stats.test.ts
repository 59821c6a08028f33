import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStatsReply } from "./protocol";
import { memcachedReading } from "./node-stats";

const captured = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__/stats-1.6.18.txt"), "utf8");

describe("memcachedReading", () => {
  it("reads a captured 1.6.18 `stats` reply", () => {
    const reply = Buffer.from(`${captured.trimEnd().split("\n").join("\r\n")}\r\n`);
    const step = parseStatsReply(reply);
    expect(step.kind).toBe("ok");
    if (step.kind !== "ok") return;
    expect(memcachedReading(step.value)).toEqual({
      version: "1.6.18",
      uptimeSeconds: 2507,
      items: 0,
      memoryUsedBytes: 0,
      memoryLimitBytes: 1073741824,
      connections: 1,
      counters: { hits: 6813, misses: 3599, evictions: 0, expired: 2001, commands: 10412 + 2062 },
      evictingPolicy: null,
      details: {
        totalItems: 2062,
        cmdGet: 10412,
        cmdSet: 2062,
        expiredUnfetched: 0,
        evictedUnfetched: 0,
        reclaimed: 2001,
        lruCrawlerRunning: 0,
        lruCrawlerStarts: 21,
      },
    });
  });
});
