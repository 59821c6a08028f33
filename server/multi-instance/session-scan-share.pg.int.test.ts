/**
 * The session index with three console instances on the lab's PostgreSQL: viewers on every instance ask
 * for a cluster's counts, its session table and "safe to stop?", yet each store is scanned by one instance
 * only, the keeper of the cluster's index (lease `sessions:<clusterId>`); the others answer the counts
 * from what it shared (naming it and its scan's time) and ask it for what needs the ids. Counted at the
 * real memcached: its crawler starts once per scan (a metadump is a crawl). kill -9 the keeper: another
 * instance takes the index over and scans once more. Start the lab first: bash e2e/lab/lab.sh up
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { labStoreEndpoints } from "@/e2e/lab/seed-sessions";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { sessionIndexDuty } from "@/server/cluster-lease/duties";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { SETUP } from "@/test-support/test-context";
import {
  getEverywhere,
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

/** A page of the session table, and "safe to stop?" of tomcat2, as each instance answers them. */
const TABLE = "/clusters/lab/sessions?sort=idle&dir=desc&offset=100000&limit=20";
const SAFE = "/clusters/lab/members/tomcat2/safe-to-stop";

describe("session counts with several instances: one scan per store, shared", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let viewer: string;
  let operator: string;
  let seeded: number;
  let duty: string;
  const instances: TInstance[] = [];

  beforeAll(async () => {
    let url: string;
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    ({ viewer, operator } = await createCliTokens(db));
    seeded = (await seedMsmEvacuation(db)).sessions; // cluster "lab", store msm on n1 and n2
    // The seeded ids route to tomcat1..3: members to ask "safe to stop?" about (no frontend polls them).
    const msm = ep.memcached.map((n) => `{ name: ${n.id}, host: ${n.host}, port: ${n.port} }`).join(", ");
    const members = [1, 2, 3]
      .map((i) => `{ name: tomcat${i}, route: tomcat${i}, host: 127.0.0.1, httpPort: ${18080 + i} }`)
      .join(", ");
    await importInventory(
      db,
      parseInventoryYaml(
        `clusters:\n  - name: lab\n    members: [${members}]\n    stores:\n      - { name: msm, kind: memcached-msm, nodes: [${msm}] }\n`,
      ),
      SETUP,
    );
    duty = sessionIndexDuty((await db.cluster.findUniqueOrThrow({ where: { name: "lab" } })).id);
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
        const lastReplies = live.map((i) => [i.name, i.owned, i.lines.filter((l) => l.counts).at(-1)?.counts]);
        expect([...answers.keys()].sort(), JSON.stringify(lastReplies)).toEqual(live.map((i) => i.name).sort());
      },
      { timeout: 60_000, interval: 300 },
    );
    return answers;
  }

  /** The table page and the safe-to-stop answer of every live instance: all complete, all the keeper's. */
  async function idAnswersEverywhere(keeper: TInstance): Promise<void> {
    const tables = await getEverywhere(instances, operator, TABLE);
    const safes = await getEverywhere(instances, operator, SAFE);
    const seen = JSON.stringify({ tables: [...tables], safes: [...safes] }).slice(0, 4_000);
    type TPage = { rows: Array<{ id: string }>; matched: number; status: { incomplete?: unknown[] } };
    type TSafe = { verdict: string; total: number; safe: number; listedAt: string };
    const kept = tables.get(keeper.name)!.body as TPage;
    const keptSafe = safes.get(keeper.name)!.body as TSafe;
    expect(kept.matched, seen).toBe(seeded);
    expect(kept.rows).toHaveLength(20);
    expect(keptSafe.verdict, seen).toBe("safe");
    expect(keptSafe.total).toBeGreaterThan(seeded / 4);
    for (const [name, t] of tables) {
      expect(t.status, `${name}: ${seen}`).toBe(200);
      // The same rows in the same order: the keeper's index, not one of the asker's own.
      expect((t.body as TPage).rows.map((r) => r.id)).toEqual(kept.rows.map((r) => r.id));
      expect((t.body as TPage).matched).toBe(seeded);
      const safe = safes.get(name)!;
      expect(safe.status, `${name}: ${seen}`).toBe(200);
      expect(safe.body as TSafe).toMatchObject({ verdict: "safe", total: keptSafe.total, listedAt: keptSafe.listedAt });
    }
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
    // The table and "safe to stop?" on every instance: the keeper's index answers, nobody scans again.
    await idAnswersEverywhere(owner);
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
    await idAnswersEverywhere(heir);
    const last = await Promise.all(ep.memcached.slice(0, 2).map(crawlerStarts));
    expect(last.map((n, i) => n - after[i]!)).toEqual([1, 1]);
  }, 240_000);
});
