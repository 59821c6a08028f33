/**
 * The jdbc-store adapter against the lab's PostgreSQL table (the one /jdbc's DataSourceStore writes), with
 * rows of a context no Tomcat serves, so no background sweep deletes the expired ones mid-test.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import type { TSessionRow, TStoreConfig } from "@/server/adapters/stores/adapter";
import { jdbcStoreAdapter } from "@/server/adapters/stores/jdbc-store";

const env = loadLabEnv();
const pgUrl = new URL(labValue(env, "LAB_POSTGRES_URL"));
const database = labValue(env, "LAB_JDBC_DATABASE");
const table = labValue(env, "LAB_JDBC_TABLE");
const APP = "/Catalina/localhost/clusterdeck-int-test";
const data = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", "datasourcestore-tomcat-10.1.60.bin"));

const store = (options: Record<string, unknown> = {}, port = Number(pgUrl.port)): TStoreConfig => ({
  name: "jdbc",
  kind: "jdbc-store",
  nodes: [{ id: "pg", host: pgUrl.hostname, port }],
  options: jdbcStoreAdapter.parseOptions({
    database,
    user: "postgres",
    sessionTable: table,
    appName: APP,
    pageSize: 10,
    ...options,
  }),
});

const hexId = (i: number, route: string) => `${i.toString(16).toUpperCase().padStart(32, "0")}.${route}`;

describe("jdbc-store adapter on the lab's session table", () => {
  const client = new pg.Client({ host: pgUrl.hostname, port: Number(pgUrl.port), user: "postgres", database });
  const now = Date.now();
  const live: string[] = [];
  const expired: string[] = [];
  let invalid = "";

  beforeAll(async () => {
    await client.connect();
    await client.query(`DELETE FROM ${table} WHERE app_name = $1`, [APP]);
    const insert = (id: string, valid: string, maxInactive: number, lastAccess: number) =>
      client.query(
        `INSERT INTO ${table} (session_id, valid_session, max_inactive, last_access, app_name, session_data) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, valid, maxInactive, lastAccess, APP, data],
      );
    for (let i = 1; i <= 25; i++) {
      live.push(hexId(i, `tomcat${(i % 3) + 1}`));
      await insert(live.at(-1)!, "1", 1800, now - i * 1000);
    }
    // Never expires (max_inactive <= 0): live however old.
    live.push(hexId(100, "tomcat2"));
    await insert(live.at(-1)!, "1", -1, now - 86_400_000);
    for (let i = 200; i < 203; i++) {
      expired.push(hexId(i, "tomcat1"));
      await insert(expired.at(-1)!, "1", 1800, now - 1801_000 - i);
    }
    invalid = hexId(300, "tomcat3");
    await insert(invalid, "0", 1800, now);
  });
  afterAll(async () => {
    await client.query(`DELETE FROM ${table} WHERE app_name = $1`, [APP]);
    await client.end();
  });

  it("counts live rows only, over keyset pages; expired (unswept) and invalid rows are keys, not sessions", async () => {
    const counts = await jdbcStoreAdapter.countSessions(store());
    const perRoute: Record<string, number> = {};
    for (const id of live) perRoute[id.split(".")[1]!] = (perRoute[id.split(".")[1]!] ?? 0) + 1;
    expect(counts).toMatchObject({
      store: "jdbc",
      kind: "jdbc-store",
      total: live.length,
      perNode: { pg: live.length },
      perRoute,
      keysPerNode: { pg: live.length + expired.length + 1 },
    });
  });

  it("enumerates every live session once, in batches no larger than a page, with TTL and size", async () => {
    const batches: TSessionRow[][] = [];
    for await (const b of jdbcStoreAdapter.enumerateSessions!(store())) batches.push(b);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(10);
    const rows = batches.flat();
    expect(rows.map((r) => r.sessionId).sort()).toEqual([...live].sort());
    const first = rows.find((r) => r.sessionId === live[0])!;
    expect(first).toMatchObject({
      node: "pg",
      route: "tomcat2",
      size: data.length,
      lastAccess: Math.floor((now - 1000) / 1000),
    });
    expect(first.ttlSeconds).toBeGreaterThan(1700);
    expect(rows.find((r) => r.sessionId === live.at(-1))!.ttlSeconds).toBeNull();
  });

  it("looks up one id in the context: a live row with its TTL, an expired one with 0 s, a missing or other-app id not at all", async () => {
    expect(await jdbcStoreAdapter.lookup(store(), live[0]!)).toEqual([
      { store: "jdbc", node: "pg", key: live[0], role: "session", ttlSeconds: expect.any(Number), size: data.length },
    ]);
    expect(await jdbcStoreAdapter.lookup(store(), expired[0]!)).toMatchObject([{ ttlSeconds: 0 }]);
    expect(await jdbcStoreAdapter.lookup(store(), hexId(999, "tomcat1"))).toEqual([]);
    expect(await jdbcStoreAdapter.lookup(store({ appName: "/Catalina/localhost/other" }), live[0]!)).toEqual([]);
  });

  it("decodes the row's session_data and reports node figures", async () => {
    const detail = await jdbcStoreAdapter.readSession!(store(), live[0]!);
    expect(detail).toMatchObject({
      node: "pg",
      key: live[0],
      decodeError: null,
      maxInactiveInterval: 1800,
      attributes: [{ name: "counter", value: "7" }],
    });
    expect(await jdbcStoreAdapter.readSession!(store(), hexId(999, "tomcat1"))).toBeNull();
    const [stats] = await jdbcStoreAdapter.nodeStats(store());
    expect(stats).toMatchObject({
      node: "pg",
      items: live.length + expired.length + 1,
      evictions: 0,
      limitBytes: null,
    });
    expect(stats!.version).toMatch(/^PostgreSQL 15\./);
    expect(stats!.bytes).toBeGreaterThan(0);
  });

  it("fails with actionable errors: a table or column that does not exist, a server that does not answer", async () => {
    await expect(jdbcStoreAdapter.countSessions(store({ sessionTable: "no_such_table" }))).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      message: expect.stringContaining("options.sessionTable"),
    });
    await expect(jdbcStoreAdapter.lookup(store({ sessionIdCol: "nope" }), live[0]!)).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      message: expect.stringContaining("column"),
    });
    const closed = store({}, 1);
    await expect(jdbcStoreAdapter.countSessions(closed)).rejects.toMatchObject({ code: "TARGET_UNREACHABLE" });
  });
});
