/**
 * The session procedures through the router, against the lab inventory (memcached MSM, Redis, the
 * DataSourceStore table, Tomcat replicas): every answer passes its declared output schema, which is what
 * the OpenAPI document promises and what the components are typed by. A service whose shape drifts from
 * its schema fails here (at run time) as well as in tsc.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { createTestDb } from "@/test-support/test-db";
import { testContext } from "@/test-support/test-context";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labStoreEndpoints, seedMemcachedSessions, type TSeedTruth } from "@/e2e/lab/seed-sessions";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import type { PrismaClient } from "@/generated/prisma/client";

describe("session answers through the router", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let seeded: TSeedTruth;
  // An operator sees ids whole (a viewer's are masked: server/api/roles.int.test.ts checks that).
  const caller = () => createCaller(testContext(db, "operator"));

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(loadLabEnv(), "LAB_INVENTORY"));
    // A few short-lived sessions on top of whatever the lab holds (nothing flushed).
    seeded = await seedMemcachedSessions(labStoreEndpoints().memcached, { sessions: 12, ttlSeconds: 120 });
  });
  afterAll(() => cleanup());

  it("counts, locate, list, rescan, re-homing, safe-to-stop, the stores' status and history, and operation.list answer in their declared shapes", async () => {
    await sessionScans().awaitScan(db, "lab", Date.now());
    const counts = await caller().session.counts({ cluster: "lab" });
    expect(counts.map((s) => s.store).sort()).toEqual([
      "app-replicas",
      "backup-replicas",
      "jdbc",
      "msm",
      "msm-sticky",
      "rebind-replicas",
      "redis-sessions",
      "redisson",
    ]);
    expect(counts.find((s) => s.store === "msm")!.counts!.total).toBeGreaterThanOrEqual(seeded.sessions);

    const one = seeded.sample[0]!;
    const located = await caller().session.locate({ cluster: "lab", session: one.id });
    expect(located.sessionId).toBe(one.id);
    expect(located.copies.some((c) => c.store === "msm" && c.role === "session")).toBe(true);
    expect(located.details.find((d) => d.store === "msm")!.creationTime).toBeInstanceOf(Date);

    const page = await caller().session.list({ cluster: "lab", q: one.id });
    expect(page.rows.map((r) => r.sessionId)).toEqual([one.id]);
    expect(page.status.scannedAt).not.toBeNull();
    const status = await caller().session.rescan({ cluster: "lab" });
    expect(status.errors).toEqual([]);

    const rehoming = await caller().session.rehoming({ cluster: "lab", member: "tomcat2" });
    expect(rehoming).toMatchObject({ member: "tomcat2", route: "tomcat2", intendedState: "active" });

    const safe = await caller().member.safeToStop({ cluster: "lab", member: "tomcat2" });
    expect(["safe", "unsafe", "unknown"]).toContain(safe.verdict);
    expect(safe.perStore.map((s) => s.store).sort()).toEqual(counts.map((s) => s.store).sort());

    expect(await caller().operation.list({ cluster: "lab" })).toEqual([]);
    const listing = await caller().store.list({ cluster: "lab" });
    expect(listing.find((s) => s.store === "msm")).toMatchObject({
      capabilities: { enumerate: true, evacuateNode: true, replaceNode: true },
      nodes: [
        { node: "n1", fallback: "n2" },
        { node: "n2", fallback: "n1" },
      ],
    });
    expect(listing.find((s) => s.store === "app-replicas")!.capabilities).toMatchObject({
      evacuateNode: false,
      replaceNode: false,
    });
    const live = await caller().store.status({ cluster: "lab" });
    expect(live.map((s) => s.store)).toEqual(counts.map((s) => s.store));
    expect((await caller().store.history({ cluster: "lab", range: "1h" })).nodes).toHaveLength(
      listing.reduce((n, s) => n + s.nodes.length, 0),
    );
  }, 120_000);
});
