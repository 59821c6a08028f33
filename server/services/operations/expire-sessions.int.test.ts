/**
 * Expiring sessions in the lab: seeded MSM and Redis sessions (ground truth), checked by full scans of
 * the stores; then a real user on /msm through the frontends, with other users clicking meanwhile.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labStoreEndpoints, seedMemcachedSessions, seedRedisSessions } from "@/e2e/lab/seed-sessions";
import { parseCounterReply, startTraffic, type TCounterReply } from "@/e2e/lab/traffic";
import { enumerateMemcachedKeys } from "@/server/adapters/stores/memcached-msm/enumerate";
import { createTestDb } from "@/test-support/test-db";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { expireSessionsJob, startExpireSessions } from "@/server/services/operations/expire-sessions";
import type { TExpireResult } from "@/server/services/operations/operation-schema";
import { resumeJobs } from "@/server/services/jobs/job-engine";
import { storeConfigs } from "@/server/services/sessions/stores";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { PrismaClient } from "@/generated/prisma/client";
import { SETUP } from "@/test-support/test-context";

const env = loadLabEnv();
const ep = labStoreEndpoints();
const who = { principal: null, ip: null };

async function expire(db: PrismaClient, ids: string[], dryRun: boolean) {
  const { id } = await startExpireSessions(db, { cluster: "lab", ids, dryRun }, who);
  await vi.waitFor(
    async () => expect(["done", "failed"]).toContain((await db.operation.findUniqueOrThrow({ where: { id } })).state),
    { timeout: 60_000, interval: 100 },
  );
  const op = await db.operation.findUniqueOrThrow({ where: { id } });
  const results = new Map(
    (JSON.parse(op.report!) as { results: TExpireResult[] }).results.map((r) => [r.sessionId, r]),
  );
  return { op, results };
}

/** Every key of both memcached nodes, as "node key" (a full scan; retried, see the replace test about crawls). */
async function memcachedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of enumerateMemcachedKeys(ep.memcached)) keys.push(`${k.node} ${k.key}`);
  return keys.sort();
}

describe("expire sessions", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const redis = new Redis(ep.redis[0]!, { maxRetriesPerRequest: 1 });

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    // The lab inventory, plus /jdbc's Manager (PersistentManager keeps sessions in Tomcat memory too):
    // declared, the expire reaches that copy as well as the table's row.
    const file = parseInventoryYaml(fs.readFileSync(labValue(env, "LAB_INVENTORY"), "utf8"));
    const lab = file.clusters.find((c) => c.name === "lab")!;
    const replicas = lab.stores!.find((st) => st.kind === "tomcat-manager")!;
    lab.stores!.push({
      ...replicas,
      name: "jdbc-memory",
      options: { ...replicas.options, context: labValue(env, "LAB_JDBC_PATH") },
    });
    await importInventory(db, file, SETUP);
  });
  afterAll(async () => {
    redis.disconnect();
    await cleanup();
  });

  it("removes every key of the sessions in every store and nothing else; a dry run and an unknown id change nothing", async () => {
    const msm = await seedMemcachedSessions(ep.memcached, { sessions: 300, flush: true, sampleSize: 300 });
    const red = await seedRedisSessions(ep.redis[0]!, { sessions: 200, flush: true, sampleSize: 200, nodeId: "r1" });
    const msmId = msm.sample.find((s) => s.node === "n1")!.id;
    const redisId = red.sample[3]!.id;
    const unknown = "0123456789ABCDEF0123456789ABCDEF-n1.tomcat1";
    const before = await memcachedKeys();
    expect(before.length).toBe(msm.keysPerNode.n1! + msm.keysPerNode.n2!);
    const mine = (k: string) => k.includes(msmId);
    expect(before.filter(mine)).toEqual(
      [`n1 ${msmId}`, `n1 validity:${msmId}`, `n2 bak:${msmId}`, `n2 bak:validity:${msmId}`].sort(),
    );

    const dry = await expire(db, [msmId, redisId, unknown], true);
    expect(dry.op.state, dry.op.message ?? "").toBe("done");
    expect(dry.results.get(msmId)).toMatchObject({ result: "found" });
    expect(
      dry.results
        .get(msmId)!
        .keys.map((k) => `${k.node} ${k.key}`)
        .sort(),
    ).toEqual(before.filter(mine));
    expect(dry.results.get(redisId)).toMatchObject({
      result: "found",
      keys: [{ store: "redisson", node: "r1", key: `redisson:tomcat_session:${redisId}` }],
    });
    expect(dry.results.get(unknown)).toMatchObject({ result: "not-found", keys: [] });
    expect(await memcachedKeys()).toEqual(before);
    expect(await redis.exists(`redisson:tomcat_session:${redisId}`)).toBe(1);

    const real = await expire(db, [msmId, redisId, unknown], false);
    expect(real.op.state, real.op.message ?? "").toBe("done");
    expect(real.op).toMatchObject({ total: 3, processed: 3, changed: 2, alreadyOk: 1, failedCount: 0 });
    expect(real.results.get(msmId)).toMatchObject({ result: "removed" });
    expect(real.results.get(unknown)).toMatchObject({ result: "not-found" });
    await vi.waitFor(async () => expect(await memcachedKeys()).toEqual(before.filter((k) => !mine(k))), {
      timeout: 10_000,
      interval: 500,
    });
    const redisKeys = await redis.keys("*");
    expect(redisKeys).toHaveLength(red.sessions - 1);
    expect(redisKeys.some((k) => k.includes(redisId))).toBe(false);

    // Expiring it again: not found, nothing changes.
    const again = await expire(db, [msmId], false);
    expect(again.results.get(msmId)).toMatchObject({ result: "not-found" });
    expect(await redis.dbsize()).toBe(red.sessions - 1);
  }, 120_000);

  it("an expiry left running by a crashed console resumes on start and skips the sessions it had already done", async () => {
    const msm = await seedMemcachedSessions(ep.memcached, { sessions: 30, flush: true, sampleSize: 30 });
    const [done, todo] = msm.sample.filter((s) => s.node === "n1").map((s) => s.id) as [string, string];
    const earlier: TExpireResult = {
      sessionId: done,
      result: "removed",
      keys: [{ store: "msm", node: "n1", key: done }],
      errors: [],
      notes: [],
    };
    const op = await db.operation.create({
      data: {
        kind: "session.expire",
        cluster: "lab",
        target: "2 sessions",
        params: JSON.stringify({ ids: [done, todo] }),
        dryRun: false,
        state: "running",
        total: 2,
        processed: 1,
        attempts: 1,
        report: JSON.stringify({ results: [earlier] }),
      },
    });
    expect(await resumeJobs(db, [expireSessionsJob])).toEqual({ [expireSessionsJob.kind]: 1 });
    await vi.waitFor(
      async () => expect((await db.operation.findUniqueOrThrow({ where: { id: op.id } })).state).toBe("done"),
      { timeout: 30_000, interval: 100 },
    );
    const after = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
    expect(after).toMatchObject({ attempts: 2, processed: 2, changed: 2, failedCount: 0 });
    const results = (JSON.parse(after.report!) as { results: TExpireResult[] }).results;
    expect(results.find((r) => r.sessionId === done)).toEqual(earlier);
    expect(results.find((r) => r.sessionId === todo)).toMatchObject({ result: "removed" });
    const keys = await memcachedKeys();
    expect(keys.some((k) => k.includes(todo))).toBe(false);
    expect(keys.filter((k) => k.includes(done))).toHaveLength(4); // not asked again: the journal said done
  });

  /** A browser-like user of one context: one cookie, requests alternating between the two frontends. */
  function user(path: string) {
    const [a, b] = [labValue(env, "LAB_FRONTEND_A_URL"), labValue(env, "LAB_FRONTEND_B_URL")].map(
      (u) => `${u.replace(/\/app$/, path)}/counter`,
    ) as [string, string];
    let cookie = "";
    let n = 0;
    return async (): Promise<TCounterReply> => {
      const res = await fetch(n++ % 2 === 0 ? a : b, { headers: cookie ? { Cookie: cookie } : {} });
      const set = res.headers.get("set-cookie");
      if (set) cookie = set.split(";")[0]!;
      const reply = parseCounterReply(await res.text());
      if (typeof reply === "string") throw new Error(reply);
      return reply;
    };
  }

  /** Every copy of the id in every store of the cluster, asked of the stores themselves. */
  async function copiesOf(sessionId: string) {
    const stores = await storeConfigs(db, "lab");
    return (
      await Promise.all(
        stores.map((s) =>
          getStoreAdapter(s.kind)
            .locate(s, sessionId)
            .then((l) => l.copies)
            .catch(() => []),
        ),
      )
    ).flat();
  }

  it.each([
    ["/msm (memcached, MSM stand-in)", "LAB_MSM_PATH", 4],
    ["/jdbc (PersistentManager + DataSourceStore, and its Manager in memory)", "LAB_JDBC_PATH", 1],
    ["/app (DeltaManager, in memory on every Tomcat)", null, 3],
  ] as const)(
    "a user of %s whose session is expired gets a new one on the next request; other users keep theirs",
    async (_name, pathKey, minKeys) => {
      const traffic = startTraffic({
        users: 4,
        ratePerSec: 8,
        durationMs: 60_000,
        targets: [labValue(env, "LAB_FRONTEND_A_URL"), labValue(env, "LAB_FRONTEND_B_URL")].map(
          (u) => `${u.replace(/\/app$/, labValue(env, "LAB_MSM_PATH"))}/counter`,
        ),
      });
      try {
        const click = user(pathKey ? labValue(env, pathKey) : "/app");
        const first = await click();
        await click();
        expect(await click()).toMatchObject({ sessionId: first.sessionId, counter: 3 });
        expect((await copiesOf(first.sessionId)).length).toBeGreaterThanOrEqual(minKeys);

        const done = await expire(db, [first.sessionId], false);
        expect(done.op.state, done.op.message ?? "").toBe("done");
        expect(done.results.get(first.sessionId)).toMatchObject({ result: "removed" });
        expect(done.results.get(first.sessionId)!.keys.length).toBeGreaterThanOrEqual(minKeys);
        expect(await copiesOf(first.sessionId)).toEqual([]);

        const next = await click();
        expect(next.sessionId).not.toBe(first.sessionId);
        expect(next.counter).toBe(1);
        await vi.waitFor(() => expect(traffic.snapshot().users.every((u) => u.requests >= 5)).toBe(true), {
          timeout: 30_000,
          interval: 200,
        });
      } finally {
        const report = await traffic.stop();
        expect(report.totals).toMatchObject({ failures: 0, sessionLost: 0, counterViolations: 0 });
      }
    },
    120_000,
  );
});
