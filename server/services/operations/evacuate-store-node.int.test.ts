/**
 * Evacuating memcached n1 in the lab: real users on /msm (the lab's MSM stand-in) the whole time, plus
 * idle seeded sessions whose backup pairs were removed. Dry run first (changes nothing), then the real
 * run, then n1 is killed: no user loses a session, and the idle sessions are restorable from n2.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labStoreEndpoints, seedMemcachedSessions } from "@/e2e/lab/seed-sessions";
import { startTraffic, type TTrafficHandle } from "@/e2e/lab/traffic";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { backupKey, backupValidityKey } from "@/server/adapters/stores/memcached-msm/keys";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { evacuateStoreNodeJob, startEvacuateStoreNode } from "@/server/services/operations/evacuate-store-node";
import { resumeJobs } from "@/server/services/jobs/job-engine";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const [n1, n2] = labStoreEndpoints().memcached as [
  { id: string; host: string; port: number },
  { id: string; host: string; port: number },
];
const who = { principal: null, ip: null };

async function waitDone(db: PrismaClient, id: number) {
  await vi.waitFor(
    async () => expect(["done", "failed"]).toContain((await db.operation.findUniqueOrThrow({ where: { id } })).state),
    { timeout: 60_000, interval: 100 },
  );
  return db.operation.findUniqueOrThrow({ where: { id } });
}

describe("evacuate memcached node n1 (MSM)", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let traffic: TTrafficHandle | undefined;
  const dst = new MemcachedTextClient({ host: n2.host, port: n2.port, timeoutMs: 5_000 });

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
  });
  afterAll(async () => {
    await traffic?.stop();
    dst.close();
    await labCommand("up"); // brings n1 back
    await cleanup();
  }, 120_000);

  it("dry run changes nothing; the real run copies the missing backup pairs; killing n1 then loses no session", async () => {
    const idle = await seedMemcachedSessions([n1, n2], { sessions: 600, flush: true, sampleSize: 600 });
    const idleOnN1 = idle.sample.filter((s) => s.node === n1.id).map((s) => s.id);
    expect(idleOnN1.length).toBeGreaterThan(50);
    // Take away their safety net: the bak pair on n2.
    for (const id of idleOnN1) {
      await dst.metaDelete(backupKey(id));
      await dst.metaDelete(backupValidityKey(id));
    }

    const msm = labValue(env, "LAB_MSM_PATH");
    traffic = startTraffic({
      users: 12,
      ratePerSec: 24,
      durationMs: 120_000,
      targets: [labValue(env, "LAB_FRONTEND_A_URL"), labValue(env, "LAB_FRONTEND_B_URL")].map(
        (u) => `${u.replace(/\/app$/, msm)}/counter`,
      ),
    });
    await vi.waitFor(() => expect(traffic!.snapshot().users.every((u) => u.requests >= 2)).toBe(true), {
      timeout: 30_000,
      interval: 200,
    });

    const dry = await waitDone(
      db,
      (await startEvacuateStoreNode(db, { cluster: "lab", store: "msm", node: "n1", dryRun: true }, who)).id,
    );
    expect(dry.state).toBe("done");
    expect(dry.changed).toBeGreaterThanOrEqual(idleOnN1.length);
    expect(dry.processed).toBe(dry.total);
    expect(await dst.metaGet(backupKey(idleOnN1[0]!))).toBeNull(); // nothing was written

    const real = await waitDone(
      db,
      (await startEvacuateStoreNode(db, { cluster: "lab", store: "msm", node: "n1", dryRun: false }, who)).id,
    );
    expect(real.state, real.message ?? "").toBe("done");
    expect(real).toMatchObject({ failedCount: 0 });
    expect(real.processed).toBe(real.total);
    expect(JSON.parse(real.report!)).toMatchObject({ source: "n1", target: "n2", safeToTakeDown: true });
    for (const id of idleOnN1) {
      const bak = await dst.metaGet(backupKey(id));
      expect(bak?.value, `bak:${id} missing on n2`).toBeTruthy();
      expect(bak!.ttlSeconds).toBeGreaterThan(0);
      expect(bak!.ttlSeconds).toBeLessThanOrEqual(idle.ttlSeconds);
    }

    // Take n1 down hard, with the users still clicking.
    const pid = Number(fs.readFileSync(path.join(labValue(env, "LAB_DIR"), "run", "memcached-n1.pid"), "utf8").trim());
    process.kill(pid, "SIGKILL");
    const atKill = new Map(traffic.snapshot().users.map((u) => [u.user, u.requests]));
    await vi.waitFor(
      () => expect(traffic!.snapshot().users.every((u) => u.requests >= atKill.get(u.user)! + 5)).toBe(true),
      { timeout: 60_000, interval: 200 },
    );
    const report = await traffic.stop();
    traffic = undefined;
    expect(report.totals).toMatchObject({ failures: 0, sessionLost: 0, counterViolations: 0 });

    // An idle session from n1 comes back from its backup on n2, re-id'd to -n2 (same base id), as MSM does.
    const idleId = idleOnN1[0]!;
    const res = await fetch(`${labValue(env, "LAB_FRONTEND_A_URL").replace(/\/app$/, msm)}/counter`, {
      headers: { Cookie: `JSESSIONID=${idleId}` },
    });
    const body = (await res.json()) as { sessionId: string };
    expect(body.sessionId).toBe(idleId.replace("-n1.", "-n2."));
  }, 240_000);

  it("an operation left running by a crashed console is resumed on start and finishes", async () => {
    const op = await db.operation.create({
      data: {
        kind: "store.evacuate-node",
        cluster: "lab",
        target: "msm/n2",
        params: JSON.stringify({ store: "msm", node: "n2" }),
        dryRun: true,
        state: "running",
        processed: 17,
        total: 100,
        attempts: 1,
      },
    });
    expect(await resumeJobs(db, [evacuateStoreNodeJob])).toEqual({ [evacuateStoreNodeJob.kind]: 1 });
    const done = await waitDone(db, op.id);
    expect(done.attempts).toBe(2);
    expect(done.processed).toBe(done.total);
  }, 120_000);
});
