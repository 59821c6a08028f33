/**
 * Sessions made by real requests in the lab's /jdbc (Tomcat's PersistentManager + DataSourceStore on
 * PostgreSQL) and /redis (lab stand-in writing tomcat-redis-session-manager's layout to Redis r2), both
 * behind PersistentValve: users go through frontends A and B alternately, then the stores' counts must equal what the
 * traffic generator's users recorded, and one user's session is located, decoded, and served by every
 * Tomcat in turn with its counter going on.
 */
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { runTraffic, type TCounterReply, type TTrafficReport } from "@/e2e/lab/traffic";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { locateSession } from "@/server/services/sessions/sessions";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { createTestDb } from "@/test-support/test-db";

const env = loadLabEnv();
const frontendUrl = (letter: "A" | "B", path: string) =>
  labValue(env, `LAB_FRONTEND_${letter}_URL`).replace(/\/app$/, path);
const tomcatUrl = (n: number, path: string) => labValue(env, `LAB_TOMCAT${n}_URL`).replace(/\/app$/, path);
const pgUrl = () => labValue(env, "LAB_POSTGRES_URL").replace(/\/postgres$/, `/${labValue(env, "LAB_JDBC_DATABASE")}`);

/** Empties one context's store: its rows in the session table, or the whole of Redis r2 (the /redis store alone). */
const emptyStore = {
  async jdbc() {
    const client = new pg.Client({ connectionString: pgUrl() });
    await client.connect();
    try {
      await client.query(`DELETE FROM ${labValue(env, "LAB_JDBC_TABLE")} WHERE app_name = $1`, [
        `/Catalina/localhost${labValue(env, "LAB_JDBC_PATH")}`,
      ]);
    } finally {
      await client.end();
    }
  },
  async "redis-sessions"() {
    const redis = new Redis(labValue(env, "LAB_REDIS2_URL"));
    try {
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
  },
};

/** Ground truth from the generator: each user's (last) session id, counted per route. */
function truthOf(report: TTrafficReport): { total: number; perRoute: Record<string, number> } {
  const perRoute: Record<string, number> = {};
  for (const u of report.users) {
    const id = u.sessionIds.at(-1)!;
    const m = /^[0-9A-F]{32}\.(tomcat\d)$/.exec(id);
    expect(m, `session id ${id} is not Tomcat's <HEX>.<jvmRoute>`).not.toBeNull();
    perRoute[m![1]!] = (perRoute[m![1]!] ?? 0) + 1;
  }
  return { total: report.users.length, perRoute };
}

async function counter(url: string, sessionId: string): Promise<TCounterReply> {
  const res = await fetch(url, { headers: { cookie: `JSESSIONID=${sessionId}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as TCounterReply;
}

describe.each([
  { store: "jdbc" as const, pathKey: "LAB_JDBC_PATH", node: "pg" },
  { store: "redis-sessions" as const, pathKey: "LAB_REDIS_PATH", node: "r2" },
])("sessions from real traffic: $store", ({ store, pathKey, node }) => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const path = labValue(env, pathKey);

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await emptyStore[store]();
  });
  afterAll(() => cleanup());

  it(`counts per member and in total equal what users recorded through both frontends to ${path}; one session is located, decoded and served by every Tomcat`, async () => {
    const report = await runTraffic({
      users: 12,
      ratePerSec: 30,
      durationMs: 4_000,
      targets: [`${frontendUrl("A", path)}/counter`, `${frontendUrl("B", path)}/counter`],
    });
    expect(report.totals).toMatchObject({ failures: 0, sessionLost: 0, counterViolations: 0, sessionIdChanges: 0 });
    const truth = truthOf(report);

    await sessionScans().awaitScan(db, "lab", Date.now(), store);
    const summary = (await summarizeStores(db, "lab", { viewed: true })).find((s) => s.store === store)!;
    expect(summary.scan).toMatchObject({ error: null, incomplete: [] });
    expect(summary.counts).toMatchObject({
      total: truth.total,
      perRoute: truth.perRoute,
      perNode: { [node]: truth.total },
    });

    const user = report.users.find((u) => (u.lastCounter ?? 0) >= 2)!;
    const id = user.sessionIds.at(-1)!;
    const located = await locateSession(db, "lab", id);
    expect(located.copies.filter((c) => c.store === store)).toEqual([
      expect.objectContaining({ node, role: "session", key: id }),
    ]);
    const ttl = located.copies.find((c) => c.store === store)!.ttlSeconds!;
    expect(ttl).toBeGreaterThan(1700);
    expect(ttl).toBeLessThanOrEqual(1800);
    const detail = located.details.find((d) => d.store === store)!;
    expect(detail).toMatchObject({ decodeError: null, maxInactiveInterval: 1800 });
    // The generator's last request may have been cut short by the end of the run after the server counted it.
    expect([String(user.lastCounter), String(user.lastCounter! + 1)]).toContain(
      detail.attributes.find((a) => a.name === "counter")?.value,
    );

    // Any Tomcat serves the session from the store: the id (and its route) stays, the counter goes on.
    let last = Number(detail.attributes.find((a) => a.name === "counter")!.value);
    for (const n of [1, 2, 3, 1]) {
      const reply = await counter(`${tomcatUrl(n, path)}/counter`, id);
      expect(reply).toMatchObject({ node: `tomcat${n}`, sessionId: id, counter: last + 1, isNew: false });
      last = reply.counter;
    }
    const after = (await locateSession(db, "lab", id)).details.find((d) => d.store === store)!;
    expect(after.attributes).toEqual([{ name: "counter", value: String(last) }]);
    // And through the frontends again, still the same session.
    expect(await counter(`${frontendUrl("B", path)}/counter`, id)).toMatchObject({ sessionId: id, counter: last + 1 });
  }, 60_000);
});
