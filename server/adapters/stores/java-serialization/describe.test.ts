import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeMsmAttributes } from "./decode";
import { describeJavaValue } from "./describe";

describe("describeJavaValue: what an operator sees for each attribute", () => {
  it("renders the Java-made fixture's attributes: simple values in full, containers by size, objects by class", () => {
    const blob = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", "msm-attributes.bin"));
    const { attributes } = decodeMsmAttributes(blob);
    const shown = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, describeJavaValue(v)]));
    for (const text of Object.values(shown)) expect(text).not.toBe("");
    expect(Object.values(shown).some((t) => /^".*"$/.test(t))).toBe(true); // a String attribute, quoted
    expect(Object.values(shown).some((t) => /^-?\d+$/.test(t))).toBe(true); // a boxed number, as a number
  });
  it("handles primitives, null and long strings", () => {
    expect(describeJavaValue(null)).toBe("null");
    expect(describeJavaValue(42)).toBe("42");
    expect(describeJavaValue(true)).toBe("true");
    expect(describeJavaValue("x".repeat(300))).toHaveLength(203);
    expect(describeJavaValue({ kind: "date", className: "java.util.Date", epochMs: 0 })).toBe(
      "1970-01-01T00:00:00.000Z",
    );
    expect(describeJavaValue({ kind: "map", className: "java.util.HashMap", entries: [] })).toBe("HashMap (0 entries)");
  });
});
