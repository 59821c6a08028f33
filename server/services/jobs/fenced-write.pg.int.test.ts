/**
 * A job's journal write fenced by its lease on the lab's PostgreSQL (fencedJobWrite): the lease row is
 * locked for the write's transaction, so another instance claiming the lease waits for the write to
 * commit, and once the lease is another's a write from the old owner changes nothing. Start the lab
 * first: bash e2e/lab/lab.sh up
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { LeaseManager } from "@/server/cluster-lease/lease-manager";
import { PgLeaseStore } from "@/server/cluster-lease/pg-lease-store";
import { setOwnership } from "@/server/cluster-lease/ownership";
import { fencedJobWrite, JobLeaseLostError } from "@/server/services/jobs/job-engine";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createPostgresTestDb } from "@/test-support/test-db";

const OPERATION = { lease: "operation" } as const;

describe("journal writes fenced by the job's lease", () => {
  let db: PrismaClient;
  let url: string;
  let cleanup: () => Promise<void>;
  let store: PgLeaseStore;
  let leases: LeaseManager;
  let other: pg.Pool;

  beforeAll(async () => {
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    store = new PgLeaseStore(url);
    // Long enough that this instance trusts its lease through the test: what moves it is the other's SQL.
    leases = new LeaseManager(store, { instanceId: "a", ttlMs: 60_000, listDuties: async () => [] });
    setOwnership(leases);
    other = new pg.Pool({ connectionString: url, max: 2 });
  });

  afterAll(async () => {
    setOwnership(undefined);
    await leases?.stop();
    await store?.close();
    await other?.end();
    await cleanup?.();
  });

  it("a claim waits for the write in flight; after it, the old owner's writes change nothing", async () => {
    const op = await db.operation.create({
      data: { kind: "store.evacuate-node", cluster: "c", target: "s/n1", params: "{}", state: "running" },
    });
    const duty = `operation:${op.id}`;
    expect(await leases.pin(duty)).toBe(true);

    const events: string[] = [];
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const write = fencedJobWrite(db, OPERATION, op.id, async (tx) => {
      await tx.operation.update({ where: { id: op.id }, data: { processed: 1000, message: "batch 1" } });
      entered();
      await new Promise<void>((r) => (release = r));
      events.push("a committed");
    });
    await inside;
    // Another instance takes the lease (as it would once the lease expired): its UPDATE of the lease row
    // must wait for a's transaction, which holds the row FOR SHARE.
    const claim = other
      .query(`UPDATE "DutyLease" SET owner = 'b', token = token + 1 WHERE duty = $1`, [duty])
      .then(() => events.push("b claimed"));
    // b's claim is queued behind a's lock: PostgreSQL itself says so (pg_locks: a lock not granted).
    await expect
      .poll(
        async () =>
          Number((await other.query<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE NOT granted`)).rows[0]!.n),
        { timeout: 5_000, interval: 50 },
      )
      .toBeGreaterThan(0);
    expect(events).toEqual([]);
    release();
    await write;
    await claim;
    expect(events).toEqual(["a committed", "b claimed"]);

    // a still trusts its lease in memory (no round has run), yet the database names b: nothing is written.
    expect(leases.owns(duty)).toBe(true);
    await expect(
      fencedJobWrite(db, OPERATION, op.id, (tx) =>
        tx.operation.update({ where: { id: op.id }, data: { processed: 2000, message: "batch 2" } }),
      ),
    ).rejects.toBeInstanceOf(JobLeaseLostError);
    expect(await db.operation.findUniqueOrThrow({ where: { id: op.id } })).toMatchObject({
      processed: 1000,
      message: "batch 1",
    });
  });
});
