/**
 * Two console instances on the lab's PostgreSQL (real processes, test-support/multi-console-process.ts):
 * instance A starts an evacuation of MSM node n1 (100,000 sessions, none with its backup pair yet) through
 * its REST API and is killed with SIGKILL mid-way; instance B takes the operation's job lease over and
 * finishes it. The report must be exact: every session counted once, the ones A copied as already safe and
 * the rest as copied by B, which the test checks against the store itself (who wrote each backup key, from
 * memcached's CAS values), and a full scan then finds every session's backup pair on n2.
 *
 * The kill lands at a chosen point: the test holds the operation's row lock once a fifth is journaled, so A's
 * batches that finish meanwhile have copied their sessions but cannot journal them (the "batches in flight
 * at the kill" case), and A is killed while it waits. Start the lab first: bash e2e/lab/lab.sh up
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { labStoreEndpoints, type TSeedTruth } from "@/e2e/lab/seed-sessions";
import { seedMsmEvacuation } from "@/test-support/msm-evacuation-seed";
import { enumerateMemcachedKeyBatches } from "@/server/adapters/stores/memcached-msm/enumerate";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createPostgresTestDb } from "@/test-support/test-db";
import { createCliTokens } from "@/test-support/rest-server";
import { killAll, killNine, startInstance, waitFor, waitReady, type TInstance } from "@/test-support/console-instances";

const ep = labStoreEndpoints();
const N1 = 100_000;
/** The default lease TTL (CLUSTERDECK_LEASE_TTL_MS), which the instances run with. */
const TTL_MS = 2_400;
/** Batches the evacuator runs at once (its lanes), of 1,000 sessions each (evacuate-store-node.ts). */
const LANES = 4;
const IN_FLIGHT = LANES * 1_000;
/** Progress at which the kill is prepared: a fifth of n1's sessions journaled. */
const MID_WAY = 20_000;

/** The CAS value memcached gives the next write on `node`: every write before it has a smaller one. */
async function casNow(node: (typeof ep.memcached)[number]): Promise<bigint> {
  const c = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 5_000 });
  try {
    await c.metaSet("clusterdeck-takeover-marker", Buffer.from("x"), { ttlSeconds: 600 });
    const [m] = await c.metaGetMany(["clusterdeck-takeover-marker"], "c");
    return BigInt(m!.cas!);
  } finally {
    c.close();
  }
}

/** The CAS of each key on `node` (null where missing), read in pipelined chunks. */
async function casOf(node: (typeof ep.memcached)[number], keys: string[]): Promise<Array<bigint | null>> {
  const c = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 30_000 });
  try {
    const out: Array<bigint | null> = [];
    for (let i = 0; i < keys.length; i += 10_000)
      for (const m of await c.metaGetMany(keys.slice(i, i + 10_000), "c")) out.push(m?.cas ? BigInt(m.cas) : null);
    return out;
  } finally {
    c.close();
  }
}

describe("an evacuation whose instance is killed mid-way is finished by another instance", () => {
  let db: PrismaClient;
  let url: string;
  let cleanup: () => Promise<void>;
  let truth: TSeedTruth;
  let token: string;
  const instances: TInstance[] = [];

  beforeAll(async () => {
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    token = (await createCliTokens(db)).operator;
    truth = await seedMsmEvacuation(db);
    for (const name of ["a", "b"])
      instances.push(startInstance(name, url, { CLUSTERDECK_INVENTORY: "", CLUSTER: "lab" }));
    await waitReady(instances, 90_000);
  }, 180_000);

  afterAll(async () => {
    await killAll(instances);
    await cleanup?.();
  });

  it("B takes it over within two lease TTLs, finishes it, and the report matches the store exactly", async () => {
    expect(truth.sessionsPerNode.n1).toBe(N1);
    const [a, b] = instances as [TInstance, TInstance];
    a.child.stdin!.write(`evacuate ${token} lab msm n1\n`);
    const id = await waitFor("A's answer", () => a.lines.find((l) => l.evacuation || l.evacuationFailed), 30_000).then(
      (l) => l.evacuation ?? expect.fail(l.evacuationFailed),
    );
    const lock = new pg.Client({ connectionString: url });
    await lock.connect();
    let locked = false;
    try {
      const progress = async () =>
        (
          await lock.query<{ processed: number; total: number }>(
            `SELECT processed, total FROM "Operation" WHERE id = $1`,
            [id],
          )
        ).rows[0]!;
      await vi.waitFor(
        async () => {
          const p = await progress();
          expect(p.total).toBe(N1);
          expect(p.processed).toBeGreaterThanOrEqual(MID_WAY);
        },
        { timeout: 60_000, interval: 5 },
      );
      // From here A cannot journal a batch (nor finish): its next progress write waits for this lock.
      await lock.query("BEGIN");
      await lock.query(`SELECT id FROM "Operation" WHERE id = $1 FOR UPDATE`, [id]);
      locked = true;
      const atLock = await progress();
      expect(atLock.processed).toBeGreaterThan(0);
      expect(atLock.processed).toBeLessThan(N1);
      // A's lanes finish the batches they hold and then wait on the lock, each on its own connection: once
      // all of them wait, A writes nothing more to the stores.
      await vi.waitFor(
        async () =>
          expect(
            Number(
              (
                await lock.query<{ n: string }>(
                  `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
                )
              ).rows[0]!.n,
            ),
          ).toBe(LANES),
        { timeout: 20_000, interval: 20 },
      );
      const lease = await db.dutyLease.findUniqueOrThrow({ where: { duty: `operation:${id}` } });
      expect(lease.owner).toBe("a");
      const killedAt = await killNine(a);
      // Every write A made is now older than this mark (its connections died with it, its lanes were waiting).
      const mark = await casNow(ep.memcached[1]!);
      await lock.query("ROLLBACK");
      locked = false;
      // A's progress writes that were waiting on the lock were already in PostgreSQL's hands: they land now,
      // before B can claim the lease (A's lease has not expired yet), each with A's counters of whole batches.
      const atKill = await progress();
      expect(atKill.processed).toBeGreaterThanOrEqual(atLock.processed);
      expect(atKill.processed).toBeLessThanOrEqual(atLock.processed + IN_FLIGHT);
      expect(atKill.processed).toBeLessThan(N1);
      expect(atKill.processed % 1_000).toBe(0);

      // B claims the job's lease (A's expires within one TTL; B looks for free jobs every TTL).
      const takenAt = await vi.waitFor(
        async () => {
          const l = await db.dutyLease.findUnique({ where: { duty: `operation:${id}` } });
          expect(l?.owner).toBe("b");
          expect(l!.token).toBeGreaterThan(lease.token);
          return Date.now();
        },
        { timeout: 4 * TTL_MS, interval: 20 },
      );
      expect(takenAt - killedAt).toBeLessThanOrEqual(2 * TTL_MS);

      const done = await vi.waitFor(
        async () => {
          const o = await db.operation.findUniqueOrThrow({ where: { id } });
          expect(o.state).not.toMatch(/pending|running/);
          return o;
        },
        { timeout: 60_000, interval: 100 },
      );
      expect(done).toMatchObject({ state: "done", attempts: 2, total: N1, processed: N1, failedCount: 0 });
      expect(done.message).toMatch(/safe to take down/);
      expect(b.stderr.join("\n")).not.toMatch(/job runner failed/);

      // Who wrote each of n1's backup keys: A (before the mark) or B (after). Every session has both keys.
      const n1Ids = truth.ids!.filter((s) => s.includes("-n1."));
      expect(n1Ids).toHaveLength(N1);
      const cas = await casOf(
        ep.memcached[1]!,
        n1Ids.flatMap((s) => [`bak:${s}`, `bak:validity:${s}`]),
      );
      let byA = 0;
      let byB = 0;
      let mixed = 0;
      n1Ids.forEach((_, i) => {
        const [k, v] = [cas[2 * i], cas[2 * i + 1]];
        expect(k, `bak:${n1Ids[i]}`).not.toBeNull();
        expect(v, `bak:validity:${n1Ids[i]}`).not.toBeNull();
        if (k! < mark && v! < mark) byA++;
        else if (k! > mark && v! > mark) byB++;
        else mixed++;
      });
      // A copied whole batches: what it journaled, plus at most the batches it held when it was killed.
      const counts = JSON.stringify({ atLock: atLock.processed, atKill: atKill.processed, byA, byB, mixed });
      expect(mixed, counts).toBe(0);
      expect(byA).toBeGreaterThanOrEqual(atKill.processed);
      expect(byA).toBeLessThanOrEqual(atKill.processed + IN_FLIGHT);
      expect(byA % 1_000).toBe(0);
      // The report is the store's truth: A's sessions (journaled or not) found safe once, B's copied once.
      expect(done.alreadyOk).toBe(byA);
      expect(done.changed).toBe(byB);
      expect(byA + byB).toBe(N1);

      // A full scan of both nodes (the adapter's enumeration): every session's primary, n1's with its pair.
      const keys = new Set<string>();
      for await (const batch of enumerateMemcachedKeyBatches(ep.memcached)) for (const k of batch) keys.add(k.key);
      expect(truth.ids!.filter((s) => !keys.has(s) || !keys.has(`validity:${s}`))).toEqual([]);
      expect(n1Ids.filter((s) => !keys.has(`bak:${s}`) || !keys.has(`bak:validity:${s}`))).toEqual([]);
    } finally {
      if (locked) await lock.query("ROLLBACK").catch(() => undefined);
      await lock.end();
    }
  }, 150_000);
});
