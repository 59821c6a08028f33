import { describe, expect, it } from "vitest";
import { jdbcStoreAdapter } from "@/server/adapters/stores/jdbc-store";
import { deleteQuery } from "@/server/adapters/stores/jdbc-store/expire";
import type { TJdbcStoreOptions } from "@/server/adapters/stores/jdbc-store/options";

describe("jdbc-store expire SQL", () => {
  it("deletes the id's row of this context only, identifiers quoted, values as parameters", () => {
    const o = jdbcStoreAdapter.parseOptions({
      database: "d",
      user: "u",
      appName: "/Catalina/localhost/shop",
      sessionTable: "web.Sessions",
      sessionIdCol: "id",
      sessionAppCol: "app",
    }) as TJdbcStoreOptions;
    expect(deleteQuery(o, "ABC'; DROP TABLE x; --.tomcat1")).toEqual({
      text: 'DELETE FROM "web"."sessions" WHERE "id" = $1 AND "app" = $2 RETURNING "id" AS id',
      values: ["ABC'; DROP TABLE x; --.tomcat1", "/Catalina/localhost/shop"],
    });
  });
});
