import { describe, expect, it } from "vitest";
import {
  counterRate,
  detectRestart,
  evaluateStoreNodeHealth,
  intervalHitRatio,
  nextUsualHitRatio,
  type TStoreHealthInput,
} from "@/server/domain/store-health";

const NOW = Date.UTC(2026, 10, 22, 9, 30);
const base: TStoreHealthInput = {
  node: "n1",
  up: true,
  error: null,
  memoryUsedBytes: 100 * 2 ** 20,
  memoryLimitBytes: 2 ** 30,
  evictingPolicy: null,
  evictionsPerSec: 0,
  evictingSince: null,
  hitRatio: 0.97,
  lookups: 500,
  usualHitRatio: 0.96,
  restart: null,
  sessionsWithoutBackup: null,
  fallback: "n2",
  now: NOW,
};
const codes = (i: Partial<TStoreHealthInput>) => evaluateStoreNodeHealth({ ...base, ...i }).warnings.map((w) => w.code);

describe("store node health rules", () => {
  it("a healthy node is ok with no warning", () => {
    expect(evaluateStoreNodeHealth(base)).toEqual({ state: "ok", warnings: [] });
  });

  it("down, with the sessions that have no backup when the index knows them", () => {
    const h = evaluateStoreNodeHealth({
      ...base,
      up: false,
      error: "Cannot reach 127.0.0.1:11311: ECONNREFUSED",
      sessionsWithoutBackup: 120,
    });
    expect(h.state).toBe("down");
    expect(h.warnings.map((w) => w.message)).toEqual([
      "n1 does not answer: Cannot reach 127.0.0.1:11311: ECONNREFUSED",
      "n1 is down and 120 of its sessions have no backup copy on n2: they are lost unless it comes back with its data.",
    ]);
    expect(codes({ up: false, sessionsWithoutBackup: 0 })).toEqual(["down"]);
  });

  it("restarted: how many sessions lost their primary, whose users, and where they fall back", () => {
    const restart = {
      at: NOW - 2 * 60_000,
      lostPrimaries: 41_000,
      perRoute: { tomcat1: 20_500, tomcat2: 20_500, tomcat3: 0 },
      fallback: "n2",
      withBackup: 40_950,
      itemsBefore: 82_000,
      itemsAfter: 0,
    };
    const h = evaluateStoreNodeHealth({ ...base, restart });
    expect(h.state).toBe("warning");
    expect(h.warnings[0]!.message).toBe(
      "n1 restarted at 09:28 UTC (2 min ago): 41,000 sessions lost their primary copy (users of tomcat1: 20,500, tomcat2: 20,500); they fall back to n2; 40,950 have their backup there, 50 have none and are lost.",
    );
    expect(
      evaluateStoreNodeHealth({ ...base, restart: { ...restart, fallback: null, withBackup: null } }).warnings[0]!
        .message,
    ).toContain("41,000 sessions lost their only copy");
    expect(
      evaluateStoreNodeHealth({ ...base, restart: { ...restart, itemsAfter: 81_000 } }).warnings[0]!.message,
    ).toContain("kept its data (81,000 items): no session lost its copy");
    expect(
      evaluateStoreNodeHealth({ ...base, restart: { ...restart, lostPrimaries: null } }).warnings[0]!.message,
    ).toContain("no session scan had counted them");
    expect(codes({ restart: { ...restart, at: NOW - 31 * 60_000 } })).toEqual([]);
  });

  it("evicting, memory above 90 %, an evicting policy, and a collapsing hit ratio", () => {
    expect(codes({ evictionsPerSec: 3.2, evictingSince: NOW - 600_000 })).toEqual(["evicting"]);
    expect(
      evaluateStoreNodeHealth({ ...base, evictionsPerSec: 3.2, evictingSince: Date.UTC(2026, 10, 22, 9, 14) })
        .warnings[0]!.message,
    ).toContain("since 09:14 UTC");
    expect(codes({ memoryUsedBytes: 0.97 * 2 ** 30 })).toEqual(["memory"]);
    expect(evaluateStoreNodeHealth({ ...base, memoryUsedBytes: 0.97 * 2 ** 30 }).warnings[0]!.message).toBe(
      "n1 uses 97% of its 1.0 GiB limit: it will evict sessions when it is full.",
    );
    expect(codes({ memoryUsedBytes: 0.89 * 2 ** 30 })).toEqual([]);
    expect(codes({ memoryLimitBytes: null })).toEqual([]);
    expect(codes({ evictingPolicy: "allkeys-lru" })).toEqual(["eviction-policy"]);
    expect(codes({ hitRatio: 0.3 })).toEqual(["hit-ratio"]);
    expect(codes({ hitRatio: 0.3, lookups: 5 })).toEqual([]); // too few lookups to judge
    expect(codes({ hitRatio: 0.3, usualHitRatio: 0.5 })).toEqual([]); // a store that usually misses
  });
});

describe("restart detection and rates", () => {
  const at = 1_000_000;
  it("uptime going back is a restart; growing uptime is not", () => {
    const prev = { uptimeSeconds: 5000, counters: {}, at };
    expect(detectRestart(prev, { uptimeSeconds: 5010, counters: {}, at: at + 10_000 })).toBe(false);
    expect(detectRestart(prev, { uptimeSeconds: 3, counters: {}, at: at + 10_000 })).toBe(true);
    expect(detectRestart(null, { uptimeSeconds: 3, counters: {}, at })).toBe(false);
  });
  it("without uptime (a Tomcat's Manager), a counter going back is a restart", () => {
    const prev = { uptimeSeconds: null, counters: { created: 1786 }, at };
    expect(detectRestart(prev, { uptimeSeconds: null, counters: { created: 1800 }, at: at + 10_000 })).toBe(false);
    expect(detectRestart(prev, { uptimeSeconds: null, counters: { created: 4 }, at: at + 10_000 })).toBe(true);
  });
  it("rates are per second, with no rate over a reset", () => {
    expect(counterRate(100, 150, 10)).toBe(5);
    expect(counterRate(100, 50, 10)).toBeNull();
    expect(counterRate(undefined, 50, 10)).toBeNull();
    expect(counterRate(100, 150, 0)).toBeNull();
  });
  it("hit ratio over an interval, and the usual ratio moving slowly", () => {
    expect(intervalHitRatio(90, 10)).toEqual({ ratio: 0.9, lookups: 100 });
    expect(intervalHitRatio(0, 0)).toEqual({ ratio: null, lookups: 0 });
    expect(nextUsualHitRatio(null, 0.9, 100)).toBe(0.9);
    expect(nextUsualHitRatio(0.9, 0.4, 100)).toBeCloseTo(0.8);
    expect(nextUsualHitRatio(0.9, 0.1, 5)).toBe(0.9);
  });
});
