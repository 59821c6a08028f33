import { describe, expect, it } from "vitest";
import { jdbcStoreAdapter } from "@/server/adapters/stores/jdbc-store";
import { quoteIdentifier, quoteTable, ZJdbcStoreOptions } from "@/server/adapters/stores/jdbc-store/options";
import { dataQuery, lookupQuery, pageQuery, statsQuery } from "@/server/adapters/stores/jdbc-store/sql";
import { AppError } from "@/server/errors";

const base = { database: "lab_sessions", user: "postgres", appName: "/Catalina/localhost/jdbc" };

describe("jdbc-store options", () => {
  it("defaults to the table and columns of Tomcat's example DDL", () => {
    expect(jdbcStoreAdapter.parseOptions(base)).toEqual({
      ...base,
      password: "",
      sessionTable: "tomcat_sessions",
      sessionIdCol: "session_id",
      sessionAppCol: "app_name",
      sessionDataCol: "session_data",
      sessionValidCol: "valid_session",
      sessionMaxInactiveCol: "max_inactive",
      sessionLastAccessedCol: "last_access",
      pageSize: 1000,
      timeoutMs: 5000,
    });
  });

  it("accepts DataSourceStore's own defaults and a schema-qualified table", () => {
    const o = jdbcStoreAdapter.parseOptions({
      ...base,
      sessionTable: "web.tomcat$sessions",
      sessionIdCol: "id",
      sessionAppCol: "app",
      sessionDataCol: "data",
      appName: "/Catalina/localhost/",
    });
    expect(o).toMatchObject({
      sessionTable: "web.tomcat$sessions",
      sessionIdCol: "id",
      appName: "/Catalina/localhost/",
    });
  });

  it.each([
    ["sessionTable", 'sessions"; DROP TABLE x; --'],
    ["sessionTable", "a.b.c"],
    ["sessionTable", ""],
    ["sessionIdCol", "id col"],
    ["sessionIdCol", "1id"],
    ["sessionDataCol", "data)"],
    ["sessionAppCol", "x".repeat(64)],
    ["appName", "jdbc"],
    ["appName", "/Catalina/jdbc"],
    ["pageSize", 0],
  ])("rejects %s = %j, naming the field", (field, value) => {
    const run = () => jdbcStoreAdapter.parseOptions({ ...base, [field]: value });
    expect(run).toThrow(AppError);
    expect(run).toThrow(`options.${field}`);
  });

  it("requires the database, the user and the app name", () => {
    expect(() => jdbcStoreAdapter.parseOptions({})).toThrow(/options\.database.*options\.user.*options\.appName/);
  });
});

describe("identifier quoting", () => {
  it("quotes as PostgreSQL resolves Tomcat's unquoted names: folded to lower case", () => {
    expect(quoteIdentifier("Session_ID")).toBe('"session_id"');
    expect(quoteIdentifier("tomcat$sessions")).toBe('"tomcat$sessions"');
    expect(quoteTable("Web.Tomcat_Sessions")).toBe('"web"."tomcat_sessions"');
  });

  it("refuses anything that is not a plain identifier, even when called directly", () => {
    expect(() => quoteIdentifier('a"b')).toThrow();
    expect(() => quoteIdentifier("")).toThrow();
    expect(() => quoteTable("a..b")).toThrow();
  });
});

describe("SQL", () => {
  const o = ZJdbcStoreOptions.parse({ ...base, pageSize: 500 });

  it("pages by keyset on the id within the app, the data column only as its length", () => {
    expect(pageQuery(o, null)).toEqual({
      text:
        'SELECT "session_id" AS id, "valid_session" AS valid, "max_inactive" AS max_inactive, "last_access" AS last_access, octet_length("session_data") AS size ' +
        'FROM "tomcat_sessions" WHERE "app_name" = $1 ORDER BY "session_id" LIMIT $2',
      values: ["/Catalina/localhost/jdbc", 500],
    });
    const next = pageQuery(o, "ABC.tomcat1");
    expect(next.text).toContain('WHERE "app_name" = $1 AND "session_id" > $3 ORDER BY "session_id" LIMIT $2');
    expect(next.values).toEqual(["/Catalina/localhost/jdbc", 500, "ABC.tomcat1"]);
  });

  it("passes ids and the app name as parameters, never in the text", () => {
    const evil = "x' OR '1'='1";
    for (const sql of [lookupQuery(o, evil), dataQuery(o, evil)]) {
      expect(sql.text).not.toContain(evil);
      expect(sql.values).toEqual([evil, "/Catalina/localhost/jdbc"]);
      expect(sql.text).toMatch(/WHERE "session_id" = \$1 AND "app_name" = \$2$/);
    }
    expect(dataQuery(o, "A").text).toBe(
      'SELECT "session_data" AS data FROM "tomcat_sessions" WHERE "session_id" = $1 AND "app_name" = $2',
    );
  });

  it("reads the table size through a regclass parameter", () => {
    const s = statsQuery(ZJdbcStoreOptions.parse({ ...base, sessionTable: "web.Sessions", sessionAppCol: "app" }));
    expect(s.text).toContain('(SELECT count(*) FROM "web"."sessions" WHERE "app" = $1)');
    expect(s.text).toContain("pg_total_relation_size($2::regclass)");
    expect(s.values).toEqual(["/Catalina/localhost/jdbc", '"web"."sessions"']);
  });
});
