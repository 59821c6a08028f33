import { describe, expect, it } from "vitest";
import { ZJsonValue } from "./json-value";

describe("a JSON value", () => {
  it("accepts what JSON can carry, nested both ways", () => {
    const v = { state: "drained", weight: 5, ok: true, none: null, nodes: ["n1=127.0.0.1:11311", [1, { a: [] }]] };
    expect(ZJsonValue.parse(v)).toEqual(v);
    for (const scalar of ["x", 0, false, null]) expect(ZJsonValue.parse(scalar)).toBe(scalar);
  });

  it("refuses what JSON cannot carry, at any depth", () => {
    for (const bad of [undefined, new Date(0), () => 1, { a: { b: undefined } }, [1, [new Date(0)]], 10n])
      expect(ZJsonValue.safeParse(bad).success, String(bad)).toBe(false);
  });
});
