/**
 * Replacing a store server in the lab: memcached n1 (11311) by the spare n3 (11313), Redis r1 by the spare
 * r3 (16381). Seeded sessions with ground truth; the stores are asked directly (mg, DUMP/PTTL, full
 * scans), never the operation's own report alone. The spares are flushed before and after, so they
 * start and end empty.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labStoreEndpoints, msmSessionValue, seedMemcachedSessions, seedRedisSessions } from "@/e2e/lab/seed-sessions";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { enumerateMemcachedKeys } from "@/server/adapters/stores/memcached-msm/enumerate";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { replaceStoreNodeJob, startReplaceStoreNode } from "@/server/services/operations/replace-store-node";
import type { TVerification } from "@/server/services/operations/operation-schema";
import { resumeJobs } from "@/server/services/jobs/job-engine";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const [n1, n2] = labStoreEndpoints().memcached as [
  { id: string; host: string; port: number },
  { id: string; host: string; port: number },
];
const n3 = { id: "n3", host: "127.0.0.1", port: Number(labValue(env, "LAB_MEMCACHED3_PORT")) };
const r1Url = labValue(env, "LAB_REDIS1_URL");
const r3Port = Number(labValue(env, "LAB_REDIS3_PORT"));
const who = { principal: null, ip: null };

async function waitDone(db: PrismaClient, id: number) {
  await vi.waitFor(
    async () => expect(["done", "failed"]).toContain((await db.operation.findUniqueOrThrow({ where: { id } })).state),
    { timeout: 90_000, interval: 100 },
  );
  return db.operation.findUniqueOrThrow({ where: { id } });
}

async function keysOf(node: { id: string; host: string; port: number }): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of enumerateMemcachedKeys([node])) keys.push(k.key);
  return keys.sort();
}

const flushMemcached = async (node: { host: string; port: number }) => {
  const c = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 5_000 });
  await c.writeNoReply(Buffer.from("flush_all noreply\r\n")).finally(() => c.close());
};

describe("replace memcached n1 by the spare n3 (MSM)", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const a = new MemcachedTextClient({ host: n1.host, port: n1.port, timeoutMs: 5_000 });
  const b = new MemcachedTextClient({ host: n3.host, port: n3.port, timeoutMs: 5_000 });

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await flushMemcached(n3);
  });
  afterAll(async () => {
    await flushMemcached(n3);
    a.close();
    b.close();
    await cleanup();
  });

  it("dry run changes nothing; the real run copies every key with bytes, flags and TTL, never rolls back a newer write, deletes nothing", async () => {
    const seeded = await seedMemcachedSessions([n1, n2], { sessions: 800, flush: true, sampleSize: 800 });
    // A key with client flags and one that never expires: both must arrive as they are.
    const onN1 = seeded.sample.filter((s) => s.node === "n1").map((s) => s.id);
    expect(await a.metaSet(`lock:${onN1[0]}`, Buffer.from("locked"), { ttlSeconds: 0, flags: 7 })).toBe("HD");
    const before = await keysOf(n1);
    expect(before.length).toBe(seeded.keysPerNode.n1! + 1);

    const dry = await waitDone(
      db,
      (
        await startReplaceStoreNode(
          db,
          { cluster: "lab", store: "msm", node: "n1", host: n3.host, port: n3.port, dryRun: true },
          who,
        )
      ).id,
    );
    expect(dry.state, dry.message ?? "").toBe("done");
    expect(dry).toMatchObject({
      total: before.length,
      processed: before.length,
      changed: before.length,
      failedCount: 0,
    });
    expect(await keysOf(n3)).toEqual([]);

    // The application (a Tomcat already switched to n3) keeps rewriting three sessions on n3 while the copy runs.
    const rewritten = onN1.slice(1, 4);
    const lastWrite = new Map<string, Buffer>();
    let writing = true;
    const writer = (async () => {
      for (let round = 0; writing || round < 2; round++) {
        for (const id of rewritten) {
          const v = msmSessionValue(
            id,
            Date.now() + 1_000 + round,
            1800,
            `rewritten-${String(round).padStart(6, "0")}`,
          );
          expect(await b.metaSet(id, v, { ttlSeconds: 3600 })).toBe("HD");
          lastWrite.set(id, v);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const op = await startReplaceStoreNode(
      db,
      { cluster: "lab", store: "msm", node: "n1", host: n3.host, port: n3.port, dryRun: false },
      who,
    );
    const real = await waitDone(db, op.id);
    writing = false;
    await writer;
    expect(real.state, real.message ?? "").toBe("done");
    expect(real).toMatchObject({ processed: before.length, failedCount: 0 });
    const report = JSON.parse(real.report!) as {
      verification: TVerification;
      complete: boolean;
      configChange: string[];
      copied: number;
      kept: number;
    };
    expect(report.copied).toBe(before.length - rewritten.length);
    expect(report.verification).toMatchObject({
      sourceKeys: before.length,
      targetKeys: before.length,
      missing: 0,
      differs: rewritten.length,
    });
    expect(report.complete).toBe(false);
    expect(report.configChange.join("\n")).toContain(
      `memcachedNodes="n1:${n1.host}:${n1.port},n2:${n2.host}:${n2.port}" → memcachedNodes="n1:${n3.host}:${n3.port},n2:${n2.host}:${n2.port}"`,
    );

    // Ask both servers: a full listing of n3 (retried: a crawl can miss keys memcached is still moving
    // between its LRU lists after many reads), then key by key, which also proves nothing left n1.
    await vi.waitFor(async () => expect(await keysOf(n3)).toEqual(before), { timeout: 10_000, interval: 500 });
    let sourceBytes = 0;
    let targetBytes = 0;
    for (const key of before) {
      const [from, to] = await Promise.all([a.metaGet(key), b.metaGet(key)]);
      sourceBytes += from!.value!.length;
      targetBytes += to!.value!.length;
      if (rewritten.includes(key)) {
        expect(to!.value!.equals(lastWrite.get(key)!), `${key} was rolled back on n3`).toBe(true);
        continue;
      }
      expect(to!.value!.equals(from!.value!), key).toBe(true);
      expect(to!.flags, key).toBe(from!.flags);
      if (from!.ttlSeconds === null) expect(to!.ttlSeconds, key).toBeNull();
      else expect(Math.abs(to!.ttlSeconds! - from!.ttlSeconds!), key).toBeLessThanOrEqual(2);
    }
    expect(report.verification.sourceBytes).toBe(sourceBytes);
    expect(report.verification.targetBytes).toBe(targetBytes);
    expect(await b.metaGet(`lock:${onN1[0]}`)).toMatchObject({ flags: 7, ttlSeconds: null });

    // The application, still on n1 for some Tomcats, writes a newer value there: a second run carries it over,
    // and still keeps the newer values written on n3.
    const fresh = msmSessionValue(onN1[5]!, Date.now() + 60_000, 1800, "newer-on-n1");
    expect(await a.metaSet(onN1[5]!, fresh, { ttlSeconds: 3600 })).toBe("HD");
    const again = await waitDone(
      db,
      (
        await startReplaceStoreNode(
          db,
          { cluster: "lab", store: "msm", node: "n1", host: n3.host, port: n3.port, dryRun: false },
          who,
        )
      ).id,
    );
    expect(again.state, again.message ?? "").toBe("done");
    expect(again.changed).toBe(1);
    expect((await b.metaGet(onN1[5]!))!.value!.equals(fresh)).toBe(true);
    for (const id of rewritten) expect((await b.metaGet(id))!.value!.equals(lastWrite.get(id)!)).toBe(true);
  }, 180_000);

  it("a replacement left running by a crashed console resumes on start and finishes", async () => {
    await seedMemcachedSessions([n1, n2], { sessions: 100, flush: true });
    await flushMemcached(n3);
    const before = await keysOf(n1);
    const op = await db.operation.create({
      data: {
        kind: "store.replace-node",
        cluster: "lab",
        target: "msm/n1",
        params: JSON.stringify({ store: "msm", node: "n1", host: n3.host, port: n3.port }),
        dryRun: false,
        state: "running",
        total: 100,
        processed: 40,
        attempts: 1,
      },
    });
    expect(await resumeJobs(db, [replaceStoreNodeJob])).toEqual({ [replaceStoreNodeJob.kind]: 1 });
    const done = await waitDone(db, op.id);
    expect(done.state, done.message ?? "").toBe("done");
    expect(done).toMatchObject({ attempts: 2, total: before.length, processed: before.length, failedCount: 0 });
    expect(JSON.parse(done.report!)).toMatchObject({ complete: true });
    await vi.waitFor(async () => expect(await keysOf(n3)).toEqual(before), { timeout: 10_000, interval: 500 });
  }, 120_000);

  it("refuses a new server that is already a node of the store, and a node the store does not have", async () => {
    await expect(
      startReplaceStoreNode(
        db,
        { cluster: "lab", store: "msm", node: "n1", host: n2.host, port: n2.port, dryRun: true },
        who,
      ),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(
      startReplaceStoreNode(
        db,
        { cluster: "lab", store: "msm", node: "n9", host: n3.host, port: n3.port, dryRun: true },
        who,
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      startReplaceStoreNode(
        db,
        { cluster: "lab", store: "app-replicas", node: "tomcat1", host: n3.host, port: n3.port, dryRun: true },
        who,
      ),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("replace Redis r1 by the spare r3 (Redisson layout)", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const a = new Redis(r1Url, { maxRetriesPerRequest: 1 });
  const b = new Redis(`redis://127.0.0.1:${r3Port}`, { maxRetriesPerRequest: 1 });

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await b.flushdb();
  });
  afterAll(async () => {
    await b.flushdb();
    a.disconnect();
    b.disconnect();
    await cleanup();
  });

  it("copies every key with its value and remaining TTL, keeps persistent keys persistent, never overwrites the target, deletes nothing", async () => {
    const seeded = await seedRedisSessions(r1Url, { sessions: 500, flush: true, sampleSize: 500, nodeId: "r1" });
    // Redisson's SSO map lives under the session prefix with no TTL; an unrelated key must not be copied.
    await a.hset("redisson:tomcat_session:redisson:tomcat_sso", "sso1", "x");
    await a.set("not-a-session", "1");
    const sessionKeys = (await a.keys("redisson:tomcat_session:*")).sort();
    expect(sessionKeys.length).toBe(seeded.sessions + 1);

    const dry = await waitDone(
      db,
      (
        await startReplaceStoreNode(
          db,
          { cluster: "lab", store: "redisson", node: "r1", host: "127.0.0.1", port: r3Port, dryRun: true },
          who,
        )
      ).id,
    );
    expect(dry.state, dry.message ?? "").toBe("done");
    expect(dry.changed).toBe(sessionKeys.length);
    expect(await b.dbsize()).toBe(0);

    // Written on r3 by the application before the copy reached it: must survive.
    const taken = seeded.sample[0]!.key;
    await b.hset(taken, "user", "written-on-r3");
    const real = await waitDone(
      db,
      (
        await startReplaceStoreNode(
          db,
          { cluster: "lab", store: "redisson", node: "r1", host: "127.0.0.1", port: r3Port, dryRun: false },
          who,
        )
      ).id,
    );
    expect(real.state, real.message ?? "").toBe("done");
    const report = JSON.parse(real.report!) as { verification: TVerification; kept: number; copied: number };
    expect(report).toMatchObject({ kept: 1, copied: sessionKeys.length - 1 });
    expect(report.verification).toMatchObject({
      sourceKeys: sessionKeys.length,
      targetKeys: sessionKeys.length,
      missing: 0,
      differs: 1,
    });

    expect((await b.keys("*")).sort()).toEqual(sessionKeys);
    expect(await a.dbsize()).toBe(sessionKeys.length + 1); // nothing deleted on r1
    expect(await b.hget(taken, "user")).toBe("written-on-r3");
    for (const key of sessionKeys.filter((k) => k !== taken)) {
      const [fromDump, toDump, fromTtl, toTtl] = await Promise.all([
        a.dumpBuffer(key),
        b.dumpBuffer(key),
        a.pttl(key),
        b.pttl(key),
      ]);
      expect(toDump!.equals(fromDump!), key).toBe(true);
      if (fromTtl === -1) expect(toTtl, key).toBe(-1);
      else expect(Math.abs(toTtl - fromTtl), key).toBeLessThanOrEqual(2_000);
    }
    expect(await b.pttl("redisson:tomcat_session:redisson:tomcat_sso")).toBe(-1);
    await a.del("not-a-session");
  }, 120_000);
});
