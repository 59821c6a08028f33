import { describe, expect, it } from "vitest";
import { ScanBatchWriter } from "@/server/adapters/stores/scan-batch";
import { SegmentBuilder } from "@/server/services/sessions/session-index/segment-builder";
import { querySessionIndex } from "@/server/services/sessions/session-index/query";
import type { TStoreSegment } from "@/server/services/sessions/session-index/segment";
import { buildTestSegment as segment, SEGMENT_NOW as NOW } from "@/test-support/index-segment";

const nowS = NOW / 1000;

function sample(): TStoreSegment[] {
  return [
    segment("msm", [
      { id: "CC-n1.tomcat1", size: 300, lastAccess: nowS - 500, ttl: 60 },
      { id: "AA-n2.tomcat2", node: "n2", size: 200 },
      { id: "AB-n1.tomcat1", size: 100, lastAccess: null, ttl: null },
    ]),
    segment("app-replicas", [
      { id: "ZZ.tomcat3", node: "tomcat1", ttl: null, size: 0, lastAccess: null },
      { id: "ZZ.tomcat3", node: "tomcat3", ttl: null, size: 0, lastAccess: null },
      { id: "ZZ.tomcat3", node: "tomcat2", ttl: null, size: 0, lastAccess: null },
      { id: "NOROUTE", node: "tomcat1", ttl: null, size: 0, lastAccess: null },
    ]),
  ];
}

const ids = (segs: TStoreSegment[], q: Parameters<typeof querySessionIndex>[1]) =>
  querySessionIndex(segs, q, NOW).rows.map((r) => r.sessionId);

describe("session index", () => {
  it("sorts by id over every store, merges a session's replicas into one row whose node is the one its route names", () => {
    const segs = sample();
    expect(ids(segs, { limit: 500 })).toEqual([
      "AA-n2.tomcat2",
      "AB-n1.tomcat1",
      "CC-n1.tomcat1",
      "NOROUTE",
      "ZZ.tomcat3",
    ]);
    expect(querySessionIndex(segs, { q: "ZZ" }, NOW).rows).toEqual([
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
    const segs = [segment("msm", [{ id: "CC-n1.tomcat1", lastAccess: nowS - 500, ttl: 60 }], null, NOW - 20_000)];
    const p = querySessionIndex(segs, { q: "C" }, NOW);
    expect(p.matched).toBe(1);
    expect(p.rows[0]).toMatchObject({
      sessionId: "CC-n1.tomcat1",
      ttlSeconds: 40,
      idleSeconds: 500,
      node: "n1",
      route: "tomcat1",
    });
    expect(ids(sample(), { q: "A" })).toEqual(["AA-n2.tomcat2", "AB-n1.tomcat1"]);
    expect(querySessionIndex(sample(), { q: "B" }, NOW).matched).toBe(0);
    expect(querySessionIndex(sample(), { q: "ZZ.tomcat3x" }, NOW).matched).toBe(0);
  });

  it("filters by store, node, route, idle and TTL", () => {
    const segs = sample();
    expect(ids(segs, { store: "msm" })).toEqual(["AA-n2.tomcat2", "AB-n1.tomcat1", "CC-n1.tomcat1"]);
    expect(ids(segs, { node: "n1" })).toEqual(["AB-n1.tomcat1", "CC-n1.tomcat1"]);
    expect(ids(segs, { route: "tomcat3" })).toEqual(["ZZ.tomcat3"]);
    expect(ids(segs, { route: "(none)" })).toEqual(["NOROUTE"]);
    expect(ids(segs, { minIdleSeconds: 100 })).toEqual(["CC-n1.tomcat1"]); // unknown last access never matches
    expect(ids(segs, { maxTtlSeconds: 100 })).toEqual(["CC-n1.tomcat1"]); // sessions without TTL never match
    expect(ids(segs, { store: "nosuch" })).toEqual([]);
    expect(ids(segs, { route: "tomcat9" })).toEqual([]);
    expect(ids(segs, { store: "msm", node: "tomcat1" })).toEqual([]);
  });

  it("sorts by idle, TTL and size in both directions; ties by id, ascending, in both", () => {
    const segs = sample();
    const by = (sort: "idle" | "ttl" | "size", dir: "asc" | "desc") => ids(segs, { store: "msm", sort, dir });
    expect(by("size", "desc")).toEqual(["CC-n1.tomcat1", "AA-n2.tomcat2", "AB-n1.tomcat1"]);
    expect(by("size", "asc")).toEqual(["AB-n1.tomcat1", "AA-n2.tomcat2", "CC-n1.tomcat1"]);
    expect(by("idle", "desc")).toEqual(["CC-n1.tomcat1", "AA-n2.tomcat2", "AB-n1.tomcat1"]);
    expect(by("ttl", "asc")).toEqual(["CC-n1.tomcat1", "AA-n2.tomcat2", "AB-n1.tomcat1"]);
    const ties = [
      segment(
        "s",
        ["B", "A", "D", "C"].map((id) => ({ id, size: 7 })),
      ),
    ];
    for (const dir of ["asc", "desc"] as const) {
      expect(ids(ties, { sort: "size", dir })).toEqual(["A", "B", "C", "D"]);
      expect(ids([...ties, segment("t", [{ id: "AB", size: 7 }])], { sort: "size", dir })).toEqual([
        "A",
        "AB",
        "B",
        "C",
        "D",
      ]);
    }
  });

  it("pages: offset and limit over the matches, total and matched counts, in both id directions, one store or several", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: `S${String(i).padStart(4, "0")}`, size: i }));
    for (const segs of [
      [segment("s", rows)],
      [
        segment(
          "s",
          rows.filter((_, i) => i % 2),
        ),
        segment(
          "t",
          rows.filter((_, i) => !(i % 2)),
        ),
      ],
    ]) {
      const p = querySessionIndex(segs, { offset: 990, limit: 50 }, NOW);
      expect(p).toMatchObject({ matched: 1000, total: 1000 });
      expect(p.rows.map((r) => r.sessionId)).toEqual(Array.from({ length: 10 }, (_, i) => `S0${990 + i}`));
      expect(ids(segs, { dir: "desc", limit: 3 })).toEqual(["S0999", "S0998", "S0997"]);
      expect(ids(segs, { dir: "desc", offset: 998, limit: 5 })).toEqual(["S0001", "S0000"]);
      expect(
        querySessionIndex(segs, { sort: "size", dir: "desc", offset: 10, limit: 2 }, NOW).rows.map((r) => r.size),
      ).toEqual([989, 988]);
      expect(querySessionIndex(segs, { offset: 5000 }, NOW).rows).toEqual([]);
    }
  });

  it("deep pages by a column give the rows a full sort would, filtered or not, both directions, with ties", () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      id: `S${String(i).padStart(5, "0")}`,
      node: i % 3 ? "n1" : "n2",
      size: (i * 7919) % 5_000, // four rows share each size
      lastAccess: nowS - ((i * 31) % 997),
    }));
    const segs = [segment("s", rows)];
    const expected = (dir: "asc" | "desc", filter: (r: (typeof rows)[number]) => boolean) =>
      rows
        .filter(filter)
        .sort((a, b) => (dir === "asc" ? a.size - b.size : b.size - a.size) || (a.id < b.id ? -1 : 1))
        .map((r) => r.id);
    for (const dir of ["asc", "desc"] as const) {
      const all = expected(dir, () => true);
      expect(ids(segs, { sort: "size", dir, offset: 9_000, limit: 7 })).toEqual(all.slice(9_000, 9_007));
      const n2 = expected(dir, (r) => r.node === "n2");
      expect(ids(segs, { sort: "size", dir, node: "n2", offset: 3_000, limit: 7 })).toEqual(n2.slice(3_000, 3_007));
    }
    const idle = [...rows].sort((a, b) => b.lastAccess! - a.lastAccess! || (a.id < b.id ? -1 : 1)).map((r) => r.id);
    expect(ids(segs, { sort: "idle", offset: 12_345, limit: 5 })).toEqual(idle.slice(12_345, 12_350));
  });

  it("rejects bad input with a validation error", () => {
    expect(() => querySessionIndex(sample(), { limit: 0 }, NOW)).toThrow();
    expect(() => querySessionIndex(sample(), { sort: "color" as "id" }, NOW)).toThrow();
  });
});

describe("rebuilding a segment from the previous one", () => {
  it("keeps what was seen again (with fresh values), adds the new, drops the gone, and keeps a failed node's rows", () => {
    const first = segment("msm", [
      { id: "A-n1.t1", size: 1 },
      { id: "B-n1.t2", size: 2 },
      { id: "C-n2.t1", node: "n2", size: 3 },
      { id: "D-n2.t1", node: "n2", size: 4 },
    ]);
    const b = new SegmentBuilder("msm", first, NOW + 60_000);
    const w = new ScanBatchWriter();
    w.addSessionId("B-n1.t2", 3600, 20, nowS + 50);
    w.addSessionId("AA-n1.t3", 3600, 5, nowS + 50);
    b.add("n1", w.take(), NOW + 60_000);
    b.completeNode("n1");
    b.failNode("n2", "n2 busy for too long");
    const next = b.commit(NOW + 61_000);
    const q = querySessionIndex([next], { limit: 10 }, NOW + 61_000);
    expect(q.rows.map((r) => [r.sessionId, r.size])).toEqual([
      ["AA-n1.t3", 5],
      ["B-n1.t2", 20],
      ["C-n2.t1", 3],
      ["D-n2.t1", 4],
    ]);
    expect(next.nodeScans).toMatchObject({
      n1: { scannedAt: NOW + 60_000, error: null },
      n2: { scannedAt: NOW, error: "n2 busy for too long" },
    });
    expect(Object.fromEntries(next.routes.map((r, i) => [r, next.counts.perRoute[i]]))).toEqual({
      "(none)": 0,
      t1: 2,
      t2: 1,
      t3: 1,
    });
    // The previous segment gave its id chunks to the new one: it must not be read again.
    expect(first.ids.chunks.every((c) => c === null)).toBe(true);
  });

  it("marks the sessions whose backup copy was seen on another node", () => {
    const b = new SegmentBuilder("msm", null, NOW);
    const n1 = new ScanBatchWriter();
    n1.addSessionId("A-n1.t1", 60, 1, nowS);
    n1.addSessionId("B-n1.t1", 60, 1, nowS);
    const bak = Buffer.from("C-n2.t1");
    n1.addBackup(bak, 0, bak.length);
    b.add("n1", n1.take(), NOW);
    const n2 = new ScanBatchWriter();
    n2.addSessionId("C-n2.t1", 60, 1, nowS);
    const bakA = Buffer.from("A-n1.t1");
    n2.addBackup(bakA, 0, bakA.length);
    b.add("n2", n2.take(), NOW);
    b.completeNode("n1");
    b.completeNode("n2");
    const s = b.commit(NOW);
    expect([...s.backed]).toEqual([1, 0, 1]);
    expect([...s.counts.unbackedPerNode]).toEqual([1, 0]);
  });

  it("on a rescan, marks backups of kept rows and of new rows alike, and a failed node's rows keep their mark", () => {
    const scan = (prev: TStoreSegment | null, at: number, n1: string[], bak1: string[], n2: string[] | "failed") => {
      const b = new SegmentBuilder("msm", prev, at);
      const w = new ScanBatchWriter();
      for (const id of n1) w.addSessionId(id, 60, 1, nowS);
      for (const id of bak1) {
        const bytes = Buffer.from(id);
        w.addBackup(bytes, 0, bytes.length);
      }
      b.add("n1", w.take(), at);
      b.completeNode("n1");
      if (n2 === "failed") b.failNode("n2", "n2 down");
      else {
        const w2 = new ScanBatchWriter();
        for (const id of n2) w2.addSessionId(id, 60, 1, nowS);
        b.add("n2", w2.take(), at);
        b.completeNode("n2");
      }
      return b.commit(at);
    };
    const backedIds = (s: TStoreSegment) => [...s.backed.keys()].filter((r) => s.backed[r]).map((r) => s.ids.get(r));
    const first = scan(null, NOW, ["A-n1.t1"], ["C-n2.t1", "D-n2.t1"], ["C-n2.t1", "D-n2.t1"]);
    expect(backedIds(first)).toEqual(["C-n2.t1", "D-n2.t1"]);
    // C's backup is seen again (a kept row), E is new with its backup seen before its primary, D lost its backup.
    const second = scan(first, NOW + 60_000, ["A-n1.t1"], ["E-n2.t1", "C-n2.t1"], ["C-n2.t1", "D-n2.t1", "E-n2.t1"]);
    expect(backedIds(second)).toEqual(["C-n2.t1", "E-n2.t1"]);
    expect(second.sawBackups).toBe(true);
    // n2 cannot be read: its rows stay, with the marks they had; n1's backups were read again (none now).
    const third = scan(second, NOW + 120_000, ["A-n1.t1"], [], "failed");
    expect(third.ids.length).toBe(4);
    expect(backedIds(third)).toEqual(["C-n2.t1", "E-n2.t1"]);
  });

  it("holds a hundred thousand ids across several id chunks, found by exact id and prefix", () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      id: `${(i * 2654435761) % 4294967296}`.padStart(10, "0") + `-n1.t${i % 3}`,
    }));
    const s = segment("big", rows);
    expect(s.ids.chunks.length).toBe(2);
    expect(s.ids.length).toBe(100_000);
    const pick = rows[77_777]!.id;
    expect(ids([s], { q: pick })).toEqual([pick]);
    const sorted = rows.map((r) => r.id).sort();
    expect(ids([s], { offset: 65_530, limit: 10 })).toEqual(sorted.slice(65_530, 65_540));
  });
});
