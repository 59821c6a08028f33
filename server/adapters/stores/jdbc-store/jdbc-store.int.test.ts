/**
 * The jdbc-store adapter against the lab's PostgreSQL table (the one /jdbc's DataSourceStore writes), with
 * rows of a context no Tomcat serves, so no background sweep deletes the expired ones mid-test.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { scanRows } from "@/test-support/scan-rows";
import { jdbcStoreAdapter } from "@/server/adapters/stores/jdbc-store";
import { idListOf } from "@/server/adapters/stores/scan-batch";

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

  it("scans live rows only, over keyset pages no larger than a page, with TTL, size and last access; expired (unswept) and invalid rows are keys, not sessions", async () => {
    const { rows, keysPerNode, batchSizes } = await scanRows(jdbcStoreAdapter, store());
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(10);
    expect(keysPerNode).toEqual({ pg: live.length + expired.length + 1 });
    expect(rows.map((r) => r.sessionId).sort()).toEqual([...live].sort());
    const first = rows.find((r) => r.sessionId === live[0])!;
    expect(first).toMatchObject({ node: "pg", size: data.length, lastAccess: Math.floor((now - 1000) / 1000) });
    expect(first.ttlSeconds).toBeGreaterThan(1700);
    expect(rows.find((r) => r.sessionId === live.at(-1))!.ttlSeconds).toBeNull();
  });

  it("locates one id in the context with its decoded session_data: a live row with its TTL, an expired one with 0 s, a missing or other-app id not at all", async () => {
    const one = await jdbcStoreAdapter.locate(store(), live[0]!);
    expect(one.copies).toEqual([
      { store: "jdbc", node: "pg", key: live[0], role: "session", ttlSeconds: expect.any(Number), size: data.length },
    ]);
    expect(one.detail).toMatchObject({
      node: "pg",
      key: live[0],
      decodeError: null,
      maxInactiveInterval: 1800,
      attributes: [{ name: "counter", value: "7" }],
    });
    expect((await jdbcStoreAdapter.locate(store(), expired[0]!)).copies).toMatchObject([{ ttlSeconds: 0 }]);
    expect(await jdbcStoreAdapter.locate(store(), hexId(999, "tomcat1"))).toEqual({ copies: [], detail: null });
    expect((await jdbcStoreAdapter.locate(store({ appName: "/Catalina/localhost/other" }), live[0]!)).copies).toEqual(
      [],
    );
  });

  it("reads the node's figures: rows, rows past expiry not yet swept, table size, version, uptime", async () => {
    const r = await jdbcStoreAdapter.readNodeStats(store(), store().nodes[0]!, 3000);
    expect(r).toMatchObject({
      items: live.length + expired.length + 1,
      memoryLimitBytes: null,
      evictingPolicy: null,
      details: { rows: live.length + expired.length + 1, expiredNotSwept: expired.length },
    });
    expect(r.version).toMatch(/^PostgreSQL 15\./);
    expect(r.memoryUsedBytes).toBeGreaterThan(0);
    expect(r.uptimeSeconds).toBeGreaterThan(0);
  });

  it("checks a member's sessions by id in one query: live rows are safe, expired and missing ones gone", async () => {
    const ids = [...live.filter((id) => id.endsWith(".tomcat2")), expired[0]!, hexId(998, "tomcat2")];
    expect(
      await jdbcStoreAdapter.verifyRoute!(store(), "tomcat2", {
        ids: idListOf(ids),
        node: new Uint16Array(ids.length),
        nodeNames: ["pg"],
      }),
    ).toEqual({
      checked: ids.length,
      safe: ids.length - 2,
      gone: 2,
      unsafeCount: 0,
      unsafe: [],
    });
  });

  it("fails with actionable errors: a table or column that does not exist, a server that does not answer", async () => {
    await expect(scanRows(jdbcStoreAdapter, store({ sessionTable: "no_such_table" }))).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      message: expect.stringContaining("options.sessionTable"),
    });
    await expect(jdbcStoreAdapter.locate(store({ sessionIdCol: "nope" }), live[0]!)).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      message: expect.stringContaining("column"),
    });
    const closed = store({}, 1);
    await expect(scanRows(jdbcStoreAdapter, closed)).rejects.toMatchObject({ code: "TARGET_UNREACHABLE" });
    await expect(jdbcStoreAdapter.readNodeStats(closed, closed.nodes[0]!, 3000)).rejects.toMatchObject({
      code: "TARGET_UNREACHABLE",
    });
  });
});
