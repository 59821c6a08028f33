import { describe, expect, it } from "vitest";
import { interpretRow, isLiveRow, type TJdbcRawRow } from "@/server/adapters/stores/jdbc-store/rows";

const NOW = 1_700_000_000_000;
const row = (over: Partial<TJdbcRawRow>): TJdbcRawRow => ({
  id: "A1B2.tomcat1",
  valid: "1",
  max_inactive: 1800,
  last_access: String(NOW - 60_000),
  size: 321,
  ...over,
});

describe("interpretRow (DataSourceStore's expiry rule)", () => {
  it("a fresh valid row is live, with its remaining seconds, last access and size", () => {
    const r = interpretRow("pg", row({}), NOW);
    expect(r).toEqual({
      node: "pg",
      key: "A1B2.tomcat1",
      size: 321,
      ttlSeconds: 1740,
      lastAccess: (NOW - 60_000) / 1000,
      valid: true,
      expired: false,
    });
    expect(isLiveRow(r)).toBe(true);
  });

  it("a row past last_access + max_inactive is expired (not yet swept), not live, 0 s left", () => {
    const r = interpretRow("pg", row({ last_access: NOW - 1_801_000 }), NOW);
    expect(r).toMatchObject({ expired: true, ttlSeconds: 0 });
    expect(isLiveRow(r)).toBe(false);
  });

  it("exactly at the limit is still live (Tomcat deletes only when strictly older)", () => {
    expect(isLiveRow(interpretRow("pg", row({ last_access: NOW - 1_800_000 }), NOW))).toBe(true);
  });

  it("max_inactive <= 0 never expires (Tomcat's query skips it)", () => {
    for (const m of [0, -1]) {
      const r = interpretRow("pg", row({ max_inactive: m, last_access: 1 }), NOW);
      expect(r).toMatchObject({ expired: false, ttlSeconds: null });
      expect(isLiveRow(r)).toBe(true);
    }
  });

  it.each<[TJdbcRawRow["valid"], boolean]>([
    ["1", true],
    ["1 ", true],
    ["0", false],
    [true, true],
    [false, false],
    [1, true],
    [null, false],
  ])("valid column %j is %s", (valid, live) => {
    expect(isLiveRow(interpretRow("pg", row({ valid }), NOW))).toBe(live);
  });
});
