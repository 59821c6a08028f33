/**
 * One scan per store, shared by every consumer, at 100,000 seeded MSM sessions in the lab's memcached
 * (the bench repeats this at 1,000,000 on the console process). Counted by this process's crawler lock
 * per memcached server (dumps sent, never two at once), cross-checked against memcached's own
 * `lru_crawler_starts` (which also counts memcached's background crawls: a lower bound). Periodic
 * rescans are off (interval 0) so every dump counted is one a consumer caused: several viewers' first looks share one scan; counts and
 * safe-to-stop requests read the index and start none; a rescan asked during a burst of every consumer
 * is the one dump that burst costs. Every answer is complete: every store present, the member's
 * sessions checked, and each answer says when its data was read.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createCaller } from "@/server/api/root";
import { createTestDb } from "@/test-support/test-db";
import { testContext } from "@/test-support/test-context";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labStoreEndpoints, seedMemcachedSessions, type TSeedTruth } from "@/e2e/lab/seed-sessions";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { crawlerActivity } from "@/server/adapters/stores/memcached-text/crawler-lock";
import { resetSessionIndexes, sessionScans } from "@/server/services/sessions/session-index/store-scans";
import type { PrismaClient } from "@/generated/prisma/client";

const ep = labStoreEndpoints();
const target = (n: { host: string; port: number }) => `${n.host}:${n.port}`;

async function crawlerStarts(): Promise<number[]> {
  return Promise.all(
    ep.memcached.map(async (n) => {
      const c = new MemcachedTextClient({ host: n.host, port: n.port, timeoutMs: 5_000 });
      try {
        return Number((await c.stats()).lru_crawler_starts);
      } finally {
        c.close();
      }
    }),
  );
}

/** Crawler dumps this process sent to each memcached node since `before` (same order as ep.memcached). */
const dumpsSince = (before: number[]) => ep.memcached.map((n, i) => crawlerActivity(target(n)).dumps - before[i]!);
const dumpsNow = () => ep.memcached.map((n) => crawlerActivity(target(n)).dumps);

describe("one scan per store, shared by every consumer, at 100,000 sessions", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let truth: TSeedTruth;
  let stores: string[];
  let startsBefore: number[];
  let dumpsBefore: number[];
  let burst: number[] = [];

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(loadLabEnv(), "LAB_INVENTORY"));
    truth = await seedMemcachedSessions(ep.memcached, { sessions: 100_000, flush: true });
    resetSessionIndexes();
    // No periodic rescans: every dump counted below is one a consumer caused.
    sessionScans().configure({ intervalS: 0 });
    stores = (await createCaller(testContext(db, "viewer")).store.list({ cluster: "lab" })).map((s) => s.store).sort();
    startsBefore = await crawlerStarts();
    dumpsBefore = dumpsNow();
  }, 120_000);
  afterAll(async () => {
    resetSessionIndexes();
    sessionScans().configure({ intervalS: 30 });
    await cleanup();
  });

  it("three viewers opening the sessions page and two dashboards at once share one scan per store", async () => {
    const viewers = Array.from({ length: 3 }, () => createCaller(testContext(db, "viewer")));
    const before = dumpsNow();
    await Promise.all([
      ...viewers.map((v) => v.session.list({ cluster: "lab", limit: 50 })),
      ...viewers.slice(0, 2).map((v) => v.session.counts({ cluster: "lab" })),
    ]);
    await sessionScans().awaitScan(db, "lab", 0);
    expect(dumpsSince(before)).toEqual([1, 1]);

    const page = await viewers[0]!.session.list({ cluster: "lab", store: "msm", limit: 1 });
    expect(page.matched).toBe(truth.sessions);
    expect(page.status.errors).toEqual([]);
  }, 120_000);

  it("with the index built, five counts and two safe-to-stop requests start no scan, and say how old their data is", async () => {
    const viewer = createCaller(testContext(db, "viewer"));
    const before = dumpsNow();
    const msm = (await viewer.session.list({ cluster: "lab", store: "msm", limit: 1 })).status.stores.find(
      (s) => s.store === "msm",
    )!;
    const [counts, safe] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, () => viewer.session.counts({ cluster: "lab" }))),
      Promise.all(Array.from({ length: 2 }, () => viewer.member.safeToStop({ cluster: "lab", member: "tomcat2" }))),
    ]);
    for (const answer of counts) {
      const c = answer.find((s) => s.store === "msm")!.counts!;
      expect(c).toMatchObject({ total: truth.sessions, perNode: truth.sessionsPerNode });
      expect(c.scannedAt.getTime()).toBe(msm.scannedAt);
    }
    for (const check of safe) {
      expect(check.perStore.find((s) => s.store === "msm")).toMatchObject({
        total: truth.sessionsPerRoute.tomcat2,
        safe: truth.sessionsPerRoute.tomcat2,
        error: null,
      });
      expect(check.listedAt).not.toBeNull();
    }
    // Give the coordinator its ticks: nothing was asked, so nothing starts.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(dumpsSince(before)).toEqual([0, 0]);
    for (const n of ep.memcached) expect(crawlerActivity(target(n)).active).toBe(0);
  }, 120_000);

  it("counts ×5, safe-to-stop ×2, a rescan and an evacuation dry run at once: one crawler request per node at a time, every answer complete", async () => {
    const viewer = createCaller(testContext(db, "viewer"));
    const operator = createCaller(testContext(db, "operator"));
    const before = dumpsNow();
    const startedAt = Date.now();
    const [counts, safe, rescan, evacuation] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, () => viewer.session.counts({ cluster: "lab" }))),
      Promise.all(Array.from({ length: 2 }, () => viewer.member.safeToStop({ cluster: "lab", member: "tomcat2" }))),
      viewer.session.rescan({ cluster: "lab" }),
      operator.store.evacuateNode({ cluster: "lab", store: "msm", node: "n1", dryRun: true }),
    ]);
    const evacuated = await vi.waitFor(
      async () => {
        const o = await viewer.operation.get({ id: evacuation.id });
        expect(["done", "failed"]).toContain(o.state);
        return o;
      },
      { timeout: 60_000, interval: 200 },
    );
    await sessionScans().awaitScan(db, "lab", startedAt); // the rescan asked for above has landed

    for (const answer of counts) {
      expect(answer.map((s) => s.store).sort()).toEqual(stores);
      for (const s of answer) {
        expect(s.counts, s.store).not.toBeNull();
        expect(s.scan, s.store).toMatchObject({ error: null, incomplete: [] });
      }
      expect(answer.find((s) => s.store === "msm")!.counts).toMatchObject({
        total: truth.sessions,
        perNode: truth.sessionsPerNode,
        perRoute: truth.sessionsPerRoute,
      });
    }
    for (const check of safe) {
      expect(check.perStore.map((s) => s.store).sort()).toEqual(stores);
      for (const s of check.perStore) expect(s.error, s.store).toBeNull();
      expect(check.perStore.find((s) => s.store === "msm")).toMatchObject({
        total: truth.sessionsPerRoute.tomcat2,
        safe: truth.sessionsPerRoute.tomcat2,
      });
      expect(check.listedAt).not.toBeNull();
    }
    expect(rescan.stores.map((s) => s.store).sort()).toEqual(stores);
    expect(evacuated).toMatchObject({
      state: "done",
      total: truth.sessionsPerNode.n1,
      processed: truth.sessionsPerNode.n1,
      failedCount: 0,
      changed: 0,
    });

    const page = await viewer.session.list({ cluster: "lab", store: "msm", limit: 1 });
    expect(page.matched).toBe(truth.sessions);
    expect(page.status.errors).toEqual([]);
    expect(page.facets.stores.sort()).toEqual(
      stores.filter((s) => page.status.stores.find((x) => x.store === s)?.indexed),
    );
    // The burst cost the rescan and the evacuation's listing: one scan when the evacuation's run began
    // before the rescan started (shared), two when after (its listing must be newer than its start).
    burst = dumpsSince(before);
    for (const d of burst) expect([1, 2]).toContain(d);
  }, 180_000);

  it("over the whole file: never two metadumps of one server at once, and every dump counted reached memcached", async () => {
    // A BUSY answer (memcached's own background crawler holding it) is waited out and is not an error.
    for (const n of ep.memcached) expect(crawlerActivity(target(n))).toMatchObject({ active: 0, maxActive: 1 });
    const dumps = dumpsSince(dumpsBefore);
    expect(dumps).toEqual(burst.map((b) => 1 + b));
    // memcached's lru_crawler_starts also counts its own background crawls: at least our dumps, never fewer.
    const starts = (await crawlerStarts()).map((s, i) => s - startsBefore[i]!);
    starts.forEach((s, i) => expect(s).toBeGreaterThanOrEqual(dumps[i]!));
  });
});
