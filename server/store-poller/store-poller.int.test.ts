/**
 * The store poller against the lab's real store servers: every kind's stats (memcached `stats`, Redis
 * INFO, the DataSourceStore table, the Tomcat Manager MBean) read and charted; a memcached node killed
 * and started again shows "restarted" with the sessions that lost their primary copy within two polls;
 * a node filled past 90 % shows the memory warning; an evicting Redis maxmemory-policy shows its warning.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labStoreEndpoints, seedMemcachedSessions } from "@/e2e/lab/seed-sessions";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { StorePoller } from "@/server/store-poller/store-poller";
import { listStoreNodeLive, type TStoreNodeLive } from "@/server/store-poller/store-live-state";
import { getStoreHistory } from "@/server/services/sessions/store-history-query";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { listenEvents } from "@/server/poller/event-bus";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const ep = labStoreEndpoints();
const live = (store: string, node: string): TStoreNodeLive | undefined =>
  listStoreNodeLive().find((l) => l.store === store && l.node === node);

describe("store node stats in the lab", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let poller: StorePoller;

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    // Polled every second here (10 s by default), so "within two polls" is a short wait.
    await db.sessionStore.updateMany({ data: { pollIntervalMs: 1_000, timeoutMs: 2_000 } });
    poller = new StorePoller(db, 8);
    await poller.start();
  });
  afterAll(async () => {
    await poller.stop();
    await cleanup();
  });

  it("reads every store node kind's stats, derives rates, and charts them", async () => {
    const nodes = await db.storeNode.count();
    await vi.waitFor(
      () => {
        const all = listStoreNodeLive().filter((l) => l.cluster === "lab");
        expect(all).toHaveLength(nodes);
        for (const l of all)
          expect({ node: `${l.store}/${l.node}`, up: l.up, error: l.error, rated: l.rates !== null }).toEqual({
            node: `${l.store}/${l.node}`,
            up: true,
            error: null,
            rated: true,
          });
      },
      { timeout: 20_000, interval: 250 },
    );
    const n1 = live("msm", "n1")!;
    expect(n1.reading).toMatchObject({ memoryLimitBytes: 1024 * 2 ** 20, version: expect.stringMatching(/^1\.6/) });
    expect(n1.reading!.uptimeSeconds).toBeGreaterThan(0);
    expect(n1.rates!.commandsPerSec).toBeGreaterThanOrEqual(0);
    expect(live("redisson", "r1")!.reading).toMatchObject({
      evictingPolicy: null,
      details: { role: "master", maxmemoryPolicy: "noeviction" },
    });
    expect(live("redisson", "r1")!.reading!.connections).toBeGreaterThanOrEqual(1);
    const pg = live("jdbc", "pg")!.reading!;
    expect(pg.version).toMatch(/^PostgreSQL 15/);
    expect(pg.details).toMatchObject({ rows: pg.items, expiredNotSwept: expect.any(Number) });
    const tomcat = live("app-replicas", "tomcat1")!.reading!;
    expect(tomcat.details).toMatchObject({ state: "STARTED" });
    expect(tomcat.counters.created).toBeGreaterThanOrEqual(0);
    for (const l of listStoreNodeLive().filter((x) => x.cluster === "lab"))
      expect(l.state, `${l.store}/${l.node}`).not.toBe("down");

    await poller.flush();
    const h = await getStoreHistory(db, "lab", "15m");
    expect(h.nodes).toHaveLength(nodes);
    for (const n of h.nodes)
      expect(
        h.points.some((p) => p.values[n.key]?.items !== undefined),
        n.key,
      ).toBe(true);
    expect(h.points.some((p) => (p.values["msm/n1"]?.memoryLimitBytes ?? 0) === 1024 * 2 ** 20)).toBe(true);
  });

  it("memcached n1 killed and started again shows 'restarted' within two polls, with the sessions that lost their primary", async () => {
    const truth = await seedMemcachedSessions(ep.memcached, { sessions: 3_000, flush: true });
    await sessionScans().awaitScan(db, "lab", Date.now(), "msm");
    const n1Id = live("msm", "n1")!.storeNodeId;
    const polls: boolean[] = [];
    const abort = new AbortController();
    const counting = (async () => {
      for await (const ev of listenEvents("store-polled", abort.signal)) if (ev.storeNodeId === n1Id) polls.push(ev.up);
    })();
    try {
      await labCommand("kill-store", "n1");
      const killedAt = polls.length;
      await labCommand("start-store", "n1");
      await vi.waitFor(() => expect(live("msm", "n1")!.warnings.map((w) => w.code)).toContain("restarted"), {
        timeout: 15_000,
        interval: 100,
      });
      // Polls since the kill: at most one saw it down, the next one saw it back, restarted.
      expect(polls.length - killedAt).toBeLessThanOrEqual(2);
    } finally {
      abort.abort();
      await counting;
    }
    const n1 = live("msm", "n1")!;
    expect(n1.restart).toMatchObject({
      lostPrimaries: truth.sessionsPerNode.n1,
      fallback: "n2",
      withBackup: truth.sessionsPerNode.n1,
      perRoute: expect.objectContaining({ tomcat1: expect.any(Number) }),
    });
    const message = n1.warnings.find((w) => w.code === "restarted")!.message;
    expect(message).toContain(`${truth.sessionsPerNode.n1!.toLocaleString("en-US")} sessions lost their primary copy`);
    expect(message).toContain("they fall back to n2");
  }, 60_000);

  it("n2 filled past 90 % of its memory shows the memory warning", async () => {
    const n2 = ep.memcached[1]!;
    const c = new MemcachedTextClient({ host: n2.host, port: n2.port, timeoutMs: 30_000 });
    const value = Buffer.alloc(500_000, 0x78);
    let filled = 0;
    try {
      for (;;) {
        const s = await c.stats();
        if (Number(s.bytes) / Number(s.limit_maxbytes) >= 0.92) break;
        const parts: Buffer[] = [];
        for (let k = 0; k < 20; k++, filled++)
          parts.push(Buffer.from(`set fill:${filled} 0 600 ${value.length} noreply\r\n`), value, Buffer.from("\r\n"));
        await c.writeNoReply(Buffer.concat(parts));
      }
      await vi.waitFor(
        () =>
          expect(live("msm", "n2")!.warnings.find((w) => w.code === "memory")?.message).toMatch(
            /^n2 uses 9\d% of its 1\.0 GiB limit/,
          ),
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      c.close();
      // Deleting the fill would leave ~900 MiB of n2's pages in the 500 KB slab class (memcached moves
      // pages between classes only slowly), and the next test's small sessions would be evicted: a
      // restart gives the memory back. n2 comes back empty; the tests that need sessions seed their own.
      await labCommand("kill-store", "n2");
      await labCommand("start-store", "n2");
    }
    await vi.waitFor(() => expect(live("msm", "n2")!.warnings.map((w) => w.code)).not.toContain("memory"), {
      timeout: 10_000,
      interval: 100,
    });
  }, 120_000);

  it("Redis with maxmemory-policy allkeys-lru shows the policy warning, and it goes with noeviction", async () => {
    const redis = new Redis(ep.redis[0]!, { maxRetriesPerRequest: 1 });
    try {
      await redis.config("SET", "maxmemory-policy", "allkeys-lru");
      await vi.waitFor(
        () =>
          expect(live("redisson", "r1")!.warnings.find((w) => w.code === "eviction-policy")?.message).toContain(
            "maxmemory-policy allkeys-lru",
          ),
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await redis.config("SET", "maxmemory-policy", "noeviction");
    }
    await vi.waitFor(() => expect(live("redisson", "r1")!.warnings).toEqual([]), { timeout: 10_000, interval: 100 });
    redis.disconnect();
  });
});
