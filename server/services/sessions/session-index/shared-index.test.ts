import { describe, expect, it } from "vitest";
import { buildTestSegment } from "@/test-support/index-segment";
import { indexedSessionsOnNode } from "@/server/store-poller/poll-store-node";
import { countsOnlySegment, shareSegment } from "./shared-index";

describe("the counts an owner shares of its index", () => {
  const own = buildTestSegment("msm", [
    { id: "A-n1.tomcat1", node: "n1" },
    { id: "B-n1.tomcat2", node: "n1" },
    { id: "C-n2.tomcat2", node: "n2" },
  ]);

  it("survive the trip through JSON as the same counts, with no ids", () => {
    const shared = JSON.parse(JSON.stringify(shareSegment("b", own))) as ReturnType<typeof shareSegment>;
    const seg = countsOnlySegment("msm", shared);
    expect(seg.ids.length).toBe(0);
    expect(seg.counts.total).toBe(3);
    expect(Object.fromEntries(seg.nodes.map((n, i) => [n, seg.counts.perNode[i]]))).toEqual({ n1: 2, n2: 1 });
    expect(Object.fromEntries(seg.routes.map((r, i) => [r, seg.counts.perRoute[i]])).tomcat2).toBe(2);
    expect(indexedSessionsOnNode(seg, "n1")).toBe(2);
    expect([seg.scanStartedAt, seg.scanFinishedAt]).toEqual([own.scanStartedAt, own.scanFinishedAt]);
    expect(shared.instance).toBe("b");
  });
});
