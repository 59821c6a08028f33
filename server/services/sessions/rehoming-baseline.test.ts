import { describe, expect, it } from "vitest";
import { baseOfSessionId } from "@/server/domain/session-id";
import { hashBaseId, rememberRouted, renamesIn } from "@/server/services/sessions/rehoming-baseline";
import type { TStoreSegment } from "@/server/services/sessions/session-index/segment";
import type { TStoreIndexView } from "@/server/services/sessions/session-index/store-scans";
import type { TStoreRef } from "@/server/services/sessions/stores";
import { buildTestSegment, SEGMENT_NOW } from "@/test-support/index-segment";

const view = (name: string, segment: TStoreSegment): TStoreIndexView => ({
  ref: { name, kind: "tomcat-manager" } as TStoreRef,
  indexed: true,
  segment,
  scanned: true,
  running: null,
  error: null,
  shared: null,
});

const rows = (ids: string[]) => ids.map((id) => ({ id, node: "tomcat1", ttl: null, lastAccess: null }));

describe("baseOfSessionId", () => {
  it("keeps what a failover rename keeps: the part before the MSM node and the route", () => {
    expect(baseOfSessionId("A1B2.tomcat2")).toBe("A1B2");
    expect(baseOfSessionId("A1B2-n1.tomcat2")).toBe("A1B2");
    expect(baseOfSessionId("A1B2")).toBe("A1B2");
  });
});

describe("re-homing baseline: renamed sessions found by their base id", () => {
  const before = buildTestSegment(
    "rebind",
    rows(["AAA1.tomcat2", "BBB2.tomcat2", "CCC3.tomcat2", "DDD4.tomcat1", "EEE5.tomcat3"]),
    null,
    SEGMENT_NOW - 60_000,
  );
  const since = new Date(SEGMENT_NOW - 30_000);

  it("counts tomcat2's sessions now under another route once each, and nothing that was never tomcat2's", () => {
    rememberRouted("c1", "tomcat2", since, [view("rebind", before)]);
    // Two users came back through tomcat1 and tomcat3 (renamed); one has not come back yet; others unchanged.
    const after = buildTestSegment(
      "rebind",
      rows(["AAA1.tomcat1", "BBB2.tomcat3", "CCC3.tomcat2", "DDD4.tomcat1", "EEE5.tomcat3"]),
    );
    expect(renamesIn("c1", "tomcat2", since, view("rebind", after))).toEqual({
      count: 2,
      ids: ["AAA1.tomcat1", "BBB2.tomcat3"],
    });
    // Another member's moment, or a store not remembered: not known.
    expect(renamesIn("c1", "tomcat3", since, view("rebind", after))).toBeNull();
    expect(renamesIn("c1", "tomcat2", since, view("other", after))).toBeNull();
  });

  it("remembers nothing from an index scanned after the member left (its renames are not known)", () => {
    const late = buildTestSegment("late", rows(["AAA1.tomcat1"]), null, SEGMENT_NOW);
    rememberRouted("c2", "tomcat2", since, [view("late", late)]);
    expect(renamesIn("c2", "tomcat2", since, view("late", late))).toBeNull();
  });

  it("keeps the first remembrance: a later call with a newer index does not replace it", () => {
    const s2 = new Date(SEGMENT_NOW - 40_000);
    rememberRouted("c3", "tomcat2", s2, [view("rebind", before)]);
    rememberRouted("c3", "tomcat2", s2, [
      view("rebind", buildTestSegment("rebind", rows(["ZZZ9.tomcat2"]), null, s2.getTime() - 1)),
    ]);
    const after = buildTestSegment("rebind", rows(["AAA1.tomcat3", "ZZZ9.tomcat3"]));
    expect(renamesIn("c3", "tomcat2", s2, view("rebind", after))).toEqual({ count: 1, ids: ["AAA1.tomcat3"] });
  });

  it("hashes distinct base ids apart and equal ones alike, within 53 bits", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => i.toString(16).toUpperCase().padStart(32, "0"));
    const hashes = new Set(ids.map(hashBaseId));
    expect(hashes.size).toBe(ids.length);
    expect(hashBaseId("ABC")).toBe(hashBaseId("ABC"));
    for (const h of [...hashes].slice(0, 100)) expect(Number.isSafeInteger(h)).toBe(true);
  });
});
