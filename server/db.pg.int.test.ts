/**
 * The console on PostgreSQL (DATABASE_URL=postgresql://…): the lab's real PostgreSQL 15, the PostgreSQL
 * migrations, and the same services the SQLite tests use. Start the lab first: bash e2e/lab/lab.sh up
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createPostgresTestDb } from "@/test-support/test-db";
import { startCannedServer, type TFaultServer } from "@/test-support/fault-server";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import { getClusterHistory } from "@/server/services/clusters/history-query";
import { compactHistory } from "@/server/poller/history";
import { Poller } from "@/server/poller/poller";
import { getFrontendLive } from "@/server/poller/live-state";
import { deployPostgresMigrations } from "@/prisma/pg-migrate.mjs";
import type { PrismaClient } from "@/generated/prisma/client";
import { SETUP } from "@/test-support/test-context";

const GOOD_XML = fs.readFileSync(
  path.resolve(import.meta.dirname, "adapters/frontends/apache-balancer/__fixtures__/02-initial.xml"),
  "utf8",
);

describe("ClusterDeck on PostgreSQL", () => {
  let db: PrismaClient;
  let url: string;
  let cleanup: () => Promise<void>;
  let server: TFaultServer;

  beforeAll(async () => {
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    server = await startCannedServer(200, GOOD_XML);
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it("deploying migrations twice is a no-op", async () => {
    await deployPostgresMigrations(url, path.resolve(import.meta.dirname, "../prisma/postgres/migrations"));
    expect(await db.cluster.count()).toBe(0);
  });

  it("imports an inventory, polls, records history and serves the cluster view", async () => {
    const yaml = `clusters:\n  - name: pg\n    members:\n      - { name: node2, route: node2, host: 127.0.0.1, httpPort: 9002 }\n    frontends:\n      - { name: a, kind: apache-balancer, url: "${server.url}", balancer: mycluster, pollIntervalMs: 500 }\n`;
    await importInventory(db, parseInventoryYaml(yaml), SETUP);
    const poller = new Poller(db, 2);
    await poller.start();
    try {
      const f = await db.frontend.findFirstOrThrow();
      await vi.waitFor(() => expect(getFrontendLive(f.id)?.members.some((m) => m.rates !== null)).toBe(true), {
        timeout: 15_000,
        interval: 200,
      });
      expect(getFrontendLive(f.id)?.up).toBe(true);
      const view = await getClusterView(db, "pg");
      expect(view.members.find((m) => m.name === "node2")?.states[0]).toMatchObject({
        adminState: "active",
        health: "healthy",
      });
      // The poller writes its buckets and poll outcomes in one transaction; here at once, not in 10 s.
      await poller.flushHistory(true);
      expect(await db.frontendPoll.findUniqueOrThrow({ where: { frontendId: f.id } })).toMatchObject({ up: true });
      expect(await db.clusterSample.count({ where: { resolution: 10 } })).toBeGreaterThanOrEqual(1);
    } finally {
      poller.stop();
    }
    // Roll everything up as if two hours had passed: the same code path as SQLite, on PostgreSQL.
    const later = Date.now() + 2 * 3600_000;
    await compactHistory(db, later);
    const rows = await db.clusterSample.findMany();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.resolution === 60 || r.resolution === 600)).toBe(true);
    const h = await getClusterHistory(db, "pg", "24h", { top: "requests", n: 5 }, later);
    expect(h.routes).toEqual(["node1", "node2", "node3"]);
  });
});
