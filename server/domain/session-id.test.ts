import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import {
  extractSessionId,
  formatSessionId,
  isSessionIdBytes,
  sessionIdBytesForm,
  ID_ENCODED,
  ID_PLAIN,
  NOT_ID,
  parseSessionId,
  withNode,
  withRoute,
} from "@/server/domain/session-id";

// Examples from docs/reference/session-stores.md §1.2, §1.7 and §5.1.
const HEX = "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E";

describe("parseSessionId", () => {
  it.each([
    [`${HEX}-n1.tomcat1`, { baseId: HEX, nodeId: "n1", route: "tomcat1" }],
    [`${HEX}-n2`, { baseId: HEX, nodeId: "n2", route: null }],
    [`${HEX}.tomcat1`, { baseId: HEX, nodeId: null, route: "tomcat1" }],
    [HEX, { baseId: HEX, nodeId: null, route: null }],
    // A dash after the first dot belongs to the route (extractMemcachedId returns null).
    [`${HEX}.tomcat-1`, { baseId: HEX, nodeId: null, route: "tomcat-1" }],
    // Node ids may contain dashes per isValid's [^.]+ (text between first '-' and first '.').
    [`${HEX}-n1-x.r`, { baseId: HEX, nodeId: "n1-x", route: "r" }],
    // Plain Tomcat ids keep everything after the first dot as the route (extractJvmRoute).
    [`${HEX}.a.b`, { baseId: HEX, nodeId: null, route: "a.b" }],
  ])("%s", (id, expected) => {
    expect(parseSessionId(id)).toEqual({ id, ...expected });
  });

  it("trims surrounding whitespace", () => {
    expect(parseSessionId(`  ${HEX}-n1 `).id).toBe(`${HEX}-n1`);
  });

  it.each([
    ["", "empty"],
    [`-n1.r`, "no base id"],
    [`${HEX}-`, "empty node"],
    [`${HEX}-n1.`, "empty route"],
    [`${HEX}-n1.a.b`, "dotted route in an MSM id"],
    [`.tomcat1`, "no id before the route"],
    [`${HEX}.`, "trailing dot"],
    [`${HEX} x`, "space"],
    [`${HEX};x`, "semicolon"],
    [`bak:${HEX}`, "colon"],
    [`${HEX}\u00e9`, "non-ASCII"],
    ["A".repeat(600), "too long"],
  ])("rejects %j (%s) with INVALID_INPUT", (id) => {
    expect(() => parseSessionId(id)).toThrow(AppError);
    try {
      parseSessionId(id);
    } catch (error) {
      expect((error as AppError).code).toBe("INVALID_INPUT");
    }
  });
});

describe("extractSessionId", () => {
  const id = `${HEX}-n1.tomcat1`;
  it.each([
    [id],
    [`JSESSIONID=${id}`],
    [`JSESSIONID="${id}"`],
    [`Cookie: theme=dark; JSESSIONID=${id}; other=1`],
    [`cookie:JSESSIONID=${id}`],
    [`a=b;JSESSIONID=${id}`],
    [`http://lb.example/app/page;jsessionid=${id}?q=1`],
    [`https://lb.example/app/page;JSESSIONID=${id}#top`],
    [`/app/page;jsessionid=${id}`],
    [`app/page;jsessionid=${id}`],
  ])("%s", (input) => {
    expect(extractSessionId(input).id).toBe(id);
  });

  it("uses the first cookie with that exact name", () => {
    expect(extractSessionId(`JSESSIONID=${HEX}-n1; JSESSIONID=${HEX}-n2`).nodeId).toBe("n1");
    expect(extractSessionId(`jsessionid=zzz; JSESSIONID=${HEX}-n2`).nodeId).toBe("n2");
  });

  it("honours a custom cookie name", () => {
    expect(extractSessionId(`SID=${HEX}.r1; JSESSIONID=${HEX}-n1`, "SID")).toMatchObject({ nodeId: null, route: "r1" });
    expect(extractSessionId(`/app;sid=${HEX}-n3`, "SID").nodeId).toBe("n3");
  });

  it.each([
    [""],
    ["Cookie: "],
    ["theme=dark; other=1"],
    ["JSESSIONID="],
    ["http://lb.example/app/page?jsessionid=ABC"],
  ])("rejects %j", (input) => {
    expect(() => extractSessionId(input)).toThrow(AppError);
  });
});

describe("formatSessionId / withNode / withRoute", () => {
  it("formats the parts back into the id", () => {
    expect(formatSessionId({ baseId: HEX, nodeId: "n1", route: "tomcat1" })).toBe(`${HEX}-n1.tomcat1`);
    expect(formatSessionId({ baseId: HEX, nodeId: null, route: null })).toBe(HEX);
  });

  it("round-trips parse → format", () => {
    for (const id of [`${HEX}-n1.tomcat1`, `${HEX}-n2`, `${HEX}.r`, HEX])
      expect(formatSessionId(parseSessionId(id))).toBe(id);
  });

  it("withNode replaces the node and keeps the route (createNewSessionId)", () => {
    expect(withNode(`${HEX}-n1.tomcat1`, "n2")).toBe(`${HEX}-n2.tomcat1`);
    expect(withNode(`${HEX}-n1`, "n2")).toBe(`${HEX}-n2`);
    // A plain Tomcat id gets the node inserted before the route (createSessionId).
    expect(withNode(`${HEX}.tomcat1`, "n1")).toBe(`${HEX}-n1.tomcat1`);
    expect(withNode(HEX, "n1")).toBe(`${HEX}-n1`);
  });

  it("withNode rejects node ids memcachedNodes could not declare", () => {
    expect(() => withNode(HEX, "n-1")).toThrow(AppError);
    expect(() => withNode(HEX, "")).toThrow(AppError);
  });

  it("withRoute changes only the route (changeJvmRoute)", () => {
    expect(withRoute(`${HEX}-n2.tomcat1`, "tomcat2")).toBe(`${HEX}-n2.tomcat2`);
    expect(withRoute(HEX, "tomcat2")).toBe(`${HEX}.tomcat2`);
  });
});

describe("routeOfSessionId", () => {
  it("is what follows the first dot, for any id kind", async () => {
    const { routeOfSessionId } = await import("./session-id");
    expect(routeOfSessionId("ABC-n1.tomcat2")).toBe("tomcat2");
    expect(routeOfSessionId("ABC.tomcat1")).toBe("tomcat1");
    expect(routeOfSessionId("ABC.route.with.dots")).toBe("route.with.dots");
    expect(routeOfSessionId("0f1c2d3e-aaaa-bbbb-cccc-0123456789ab")).toBeNull();
    expect(routeOfSessionId("ABC.")).toBeNull();
  });
});

describe("isSessionIdBytes agrees with parseSessionId", () => {
  const accepts = (id: string) => {
    try {
      return parseSessionId(id).id === id;
    } catch {
      return false;
    }
  };
  it("on ids, near-ids and garbage", () => {
    const samples = [
      "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E-n1.tomcat1",
      "ABC-n1",
      "ABC-n1.",
      "-n1.tomcat1",
      "ABC-.tomcat1",
      "ABC-n1.tomcat1.x",
      "ABC-n-1.tomcat1",
      "ABC.tomcat-1",
      "ABC.tomcat.1",
      "ABC",
      ".tomcat1",
      "ABC.",
      "",
      "A B",
      "A;B",
      "bak:ABC-n1",
      "validity:ABC-n1.t",
      "ping-n1",
      "x".repeat(512),
      "x".repeat(513),
      "caf\u00e9",
      "a-b-c",
      "a.b-c",
      "ä",
    ];
    for (const id of samples) {
      const bytes = Buffer.from(`  ${id}  `, "utf8");
      expect(isSessionIdBytes(bytes, 2, bytes.length - 2), JSON.stringify(id)).toBe(accepts(id));
    }
  });
  it("sessionIdBytesForm: a key with a % is encoded (whatever else it holds); otherwise the same answer", () => {
    const samples = ["6A8D1C4E-n1.tomcat1", "ABC-n1.", "A;B", "bak%3AABC-n1", "A;B%3A", "ABC%", "x".repeat(513), ""];
    for (const id of samples) {
      const bytes = Buffer.from(`  ${id}  `, "utf8");
      const form = sessionIdBytesForm(bytes, 2, bytes.length - 2);
      const expected = id.includes("%") ? ID_ENCODED : accepts(id) ? ID_PLAIN : NOT_ID;
      expect(form, JSON.stringify(id)).toBe(expected);
    }
  });
});
