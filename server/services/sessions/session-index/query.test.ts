import { describe, expect, it } from "vitest";
import type { TSessionRow } from "@/server/adapters/stores/adapter";
import { SessionIndexBuilder } from "@/server/services/sessions/session-index/table";
import { querySessionIndex } from "@/server/services/sessions/session-index/query";

const NOW = 1_800_000_000_000;
const nowS = NOW / 1000;
const row = (sessionId: string, over: Partial<TSessionRow> = {}): TSessionRow => ({
  sessionId,
  node: "n1",
  route: "tomcat1",
  ttlSeconds: 3600,
  size: 100,
  lastAccess: nowS - 10,
  ...over,
});

function sample() {
  const b = new SessionIndexBuilder();
  b.add("msm", [
    row("CC-n1.tomcat1", { size: 300, lastAccess: nowS - 500, ttlSeconds: 60 }),
    row("AA-n2.tomcat2", { node: "n2", route: "tomcat2", size: 200 }),
    row("AB-n1.tomcat1", { size: 100, lastAccess: null, ttlSeconds: null }),
  ]);
  b.add("app-replicas", [
    row("ZZ.tomcat3", { node: "tomcat1", route: "tomcat3", ttlSeconds: null, size: 0, lastAccess: null }),
    row("ZZ.tomcat3", { node: "tomcat3", route: "tomcat3", ttlSeconds: null, size: 0, lastAccess: null }),
    row("ZZ.tomcat3", { node: "tomcat2", route: "tomcat3", ttlSeconds: null, size: 0, lastAccess: null }),
    row("NOROUTE", { node: "tomcat1", route: null, ttlSeconds: null, size: 0, lastAccess: null }),
  ]);
  return b.finish(NOW - 20_000); // scanned 20 s ago
}

describe("session index", () => {
  it("sorts by id, merges a session's replicas into one row whose node is the one its route names", () => {
    const t = sample();
    expect(t.ids).toEqual(["AA-n2.tomcat2", "AB-n1.tomcat1", "CC-n1.tomcat1", "NOROUTE", "ZZ.tomcat3"]);
    const p = querySessionIndex(t, { q: "ZZ" }, NOW);
    expect(p.rows).toEqual([
      {
        sessionId: "ZZ.tomcat3",
        store: "app-replicas",
        node: "tomcat3",
        route: "tomcat3",
        ttlSeconds: null,
        idleSeconds: null,
        size: 0,
        copies: 3,
      },
    ]);
  });

  it("finds by id prefix, and reports TTL and idle as of now, not as of the scan", () => {
    const p = querySessionIndex(sample(), { q: "C" }, NOW);
    expect(p.matched).toBe(1);
    expect(p.rows[0]).toMatchObject({
      sessionId: "CC-n1.tomcat1",
      ttlSeconds: 40,
      idleSeconds: 500,
      node: "n1",
      route: "tomcat1",
    });
    expect(querySessionIndex(sample(), { q: "A" }, NOW).rows.map((r) => r.sessionId)).toEqual([
      "AA-n2.tomcat2",
      "AB-n1.tomcat1",
    ]);
    expect(querySessionIndex(sample(), { q: "B" }, NOW).matched).toBe(0);
    expect(querySessionIndex(sample(), { q: "ZZ.tomcat3x" }, NOW).matched).toBe(0);
  });

  it("filters by store, node, route, idle and TTL", () => {
    const t = sample();
    const ids = (q: Parameters<typeof querySessionIndex>[1]) =>
      querySessionIndex(t, q, NOW).rows.map((r) => r.sessionId);
    expect(ids({ store: "msm" })).toEqual(["AA-n2.tomcat2", "AB-n1.tomcat1", "CC-n1.tomcat1"]);
    expect(ids({ node: "n1" })).toEqual(["AB-n1.tomcat1", "CC-n1.tomcat1"]);
    expect(ids({ route: "tomcat3" })).toEqual(["ZZ.tomcat3"]);
    expect(ids({ route: "(none)" })).toEqual(["NOROUTE"]);
    expect(ids({ minIdleSeconds: 100 })).toEqual(["CC-n1.tomcat1"]); // unknown last access never matches
    expect(ids({ maxTtlSeconds: 100 })).toEqual(["CC-n1.tomcat1"]); // sessions without TTL never match
    expect(ids({ store: "nosuch" })).toEqual([]);
    expect(ids({ route: "tomcat9" })).toEqual([]);
    expect(ids({ store: "msm", node: "tomcat1" })).toEqual([]);
  });

  it("sorts by idle, TTL and size in both directions; ties by id", () => {
    const t = sample();
    const ids = (sort: "idle" | "ttl" | "size", dir: "asc" | "desc") =>
      querySessionIndex(t, { store: "msm", sort, dir }, NOW).rows.map((r) => r.sessionId);
    expect(ids("size", "desc")).toEqual(["CC-n1.tomcat1", "AA-n2.tomcat2", "AB-n1.tomcat1"]);
    expect(ids("size", "asc")).toEqual(["AB-n1.tomcat1", "AA-n2.tomcat2", "CC-n1.tomcat1"]);
    expect(ids("idle", "desc")).toEqual(["CC-n1.tomcat1", "AA-n2.tomcat2", "AB-n1.tomcat1"]);
    expect(ids("ttl", "asc")).toEqual(["CC-n1.tomcat1", "AA-n2.tomcat2", "AB-n1.tomcat1"]);
  });

  it("pages: offset and limit over the matches, total and matched counts, in both id directions", () => {
    const b = new SessionIndexBuilder();
    b.add(
      "s",
      Array.from({ length: 1000 }, (_, i) => row(`S${String(i).padStart(4, "0")}`, { size: i })),
    );
    const t = b.finish(NOW);
    const p = querySessionIndex(t, { offset: 990, limit: 50 }, NOW);
    expect(p).toMatchObject({ matched: 1000, total: 1000 });
    expect(p.rows.map((r) => r.sessionId)).toEqual(Array.from({ length: 10 }, (_, i) => `S0${990 + i}`));
    expect(querySessionIndex(t, { dir: "desc", limit: 3 }, NOW).rows.map((r) => r.sessionId)).toEqual([
      "S0999",
      "S0998",
      "S0997",
    ]);
    expect(querySessionIndex(t, { dir: "desc", offset: 998, limit: 5 }, NOW).rows.map((r) => r.sessionId)).toEqual([
      "S0001",
      "S0000",
    ]);
    expect(
      querySessionIndex(t, { sort: "size", dir: "desc", offset: 10, limit: 2 }, NOW).rows.map((r) => r.size),
    ).toEqual([989, 988]);
    expect(querySessionIndex(t, { offset: 5000 }, NOW).rows).toEqual([]);
  });

  it("deep pages sorted by a column give the same rows as the small-buffer path would", () => {
    const b = new SessionIndexBuilder();
    b.add(
      "s",
      Array.from({ length: 20_000 }, (_, i) => row(`S${String(i).padStart(5, "0")}`, { size: (i * 7919) % 20_000 })),
    );
    const t = b.finish(NOW);
    const deep = querySessionIndex(t, { sort: "size", offset: 9_000, limit: 3 }, NOW).rows.map((r) => r.size);
    expect(deep).toEqual([9_000, 9_001, 9_002]);
  });

  it("rejects bad input with a validation error", () => {
    expect(() => querySessionIndex(sample(), { limit: 0 }, NOW)).toThrow();
    expect(() => querySessionIndex(sample(), { sort: "color" as "id" }, NOW)).toThrow();
  });
});
