/**
 * Session counts with three console instances on the lab's PostgreSQL: viewers on every instance ask for
 * a cluster's counts, yet each store is scanned by one instance only, the one holding its lease
 * (`store:<id>`); the others answer with the counts it shared, naming it and its scan's time. Counted at
 * the real memcached: its crawler starts once per scan (a metadump is a crawl). kill -9 the owner: another
 * instance takes the store over and scans it once more. Start the lab first: bash e2e/lab/lab.sh up
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { labStoreEndpoints } from "@/e2e/lab/seed-sessions";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { storeDuty } from "@/server/cluster-lease/duties";
import {
  isAlive,
  killAll,
  killNine,
  startInstance,
  waitFor,
  waitReady,
  type TInstance,
  type TLine,
} from "@/test-support/console-instances";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { seedMsmEvacuation } from "@/test-support/msm-evacuation-seed";
import { createCliTokens } from "@/test-support/rest-server";
import { createPostgresTestDb } from "@/test-support/test-db";

const ep = labStoreEndpoints();

/** Crawls memcached has started since it started (`lru_crawler metadump` is one). */
async function crawlerStarts(node: (typeof ep.memcached)[number]): Promise<number> {
  const c = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 5_000 });
  try {
    return Number((await c.stats()).lru_crawler_starts);
  } finally {
    c.close();
  }
}

type TCounts = NonNullable<TLine["counts"]>[number];

describe("session counts with several instances: one scan per store, shared", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let viewer: string;
  let seeded: number;
  let duty: string;
  const instances: TInstance[] = [];

  beforeAll(async () => {
    let url: string;
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    viewer = (await createCliTokens(db)).viewer;
    seeded = (await seedMsmEvacuation(db)).sessions; // cluster "lab", store msm on n1 and n2
    duty = storeDuty((await db.sessionStore.findFirstOrThrow({ where: { name: "msm" } })).id);
    for (const name of ["a", "b", "c"])
      instances.push(startInstance(name, url, { CLUSTERDECK_INVENTORY: "", CLUSTER: "lab" }));
    await waitReady(instances, 90_000);
    // The first instance up holds every duty until the others join and the shares even out: look only
    // once each holds its share, or the store's lease could move between two scans.
    const spread = () => {
      const owned = instances.flatMap((i) => i.owned);
      return instances.every((i) => i.owned.length > 0) && new Set(owned).size === owned.length && owned.includes(duty);
    };
    await waitFor("the duties spread over the three instances", spread, 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(spread()).toBe(true);
  }, 180_000);

  afterAll(async () => {
    await killAll(instances);
    await cleanup?.();
  });

  /**
   * Every live instance asked for the counts (one request in flight each, as a page polling would) until
   * each answers msm's from a scan newer than `after`.
   */
  async function countsEverywhere(after: number): Promise<Map<string, TCounts>> {
    const answers = new Map<string, TCounts>();
    const asked = new Map<string, number>();
    await vi.waitFor(
      () => {
        const live = instances.filter(isAlive);
        for (const i of live) {
          const replies = i.lines.filter((l) => l.counts || l.countsFailed);
          const last = replies.at(-1);
          if (last?.countsFailed) expect.fail(`${i.name}: ${last.countsFailed}`);
          const msm = last?.counts?.find((c) => c.store === "msm");
          if (msm?.scannedAt && Date.parse(msm.scannedAt) > after && msm.total === seeded) answers.set(i.name, msm);
          else if ((asked.get(i.name) ?? 0) <= replies.length) {
            asked.set(i.name, replies.length + 1);
            i.child.stdin!.write(`counts ${viewer} lab\n`);
          }
        }
        expect([...answers.keys()].sort()).toEqual(live.map((i) => i.name).sort());
      },
      { timeout: 60_000, interval: 300 },
    );
    return answers;
  }

  it("viewers on all three: one instance scans each node once, the others answer with its counts; after a kill -9 of it, one other scans once more", async () => {
    const before = await Promise.all(ep.memcached.slice(0, 2).map(crawlerStarts));
    const first = await countsEverywhere(0);
    const owner = instances.find((i) => i.owned.includes(duty))!;
    expect(owner).toBeDefined();
    const seen = JSON.stringify({ answers: [...first], owned: instances.map((i) => [i.name, i.owned]) });
    for (const [name, c] of first) {
      expect(c.total).toBe(seeded);
      expect(c.scannedAt, seen).toBe(first.get(owner.name)!.scannedAt);
      expect(c.scannedBy).toBe(name === owner.name ? null : owner.name);
    }
    const after = await Promise.all(ep.memcached.slice(0, 2).map(crawlerStarts));
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1]);

    await killNine(owner);
    const heir = await waitFor(
      "another instance holding msm's lease",
      () => instances.find((i) => isAlive(i) && i.owned.includes(duty)),
      30_000,
    );
    const second = await countsEverywhere(Date.parse(first.get(owner.name)!.scannedAt!));
    expect([...second.keys()].sort()).toEqual(
      instances
        .filter(isAlive)
        .map((i) => i.name)
        .sort(),
    );
    for (const [name, c] of second) {
      expect(c.total).toBe(seeded);
      expect(c.scannedBy).toBe(name === heir.name ? null : heir.name);
    }
    const last = await Promise.all(ep.memcached.slice(0, 2).map(crawlerStarts));
    expect(last.map((n, i) => n - after[i]!)).toEqual([1, 1]);
  }, 240_000);
});
