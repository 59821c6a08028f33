import { describe, expect, it } from "vitest";
import { safeNextPath } from "./redirect";

describe("safeNextPath", () => {
  it.each([
    ["/clusters/lab", "/clusters/lab"],
    ["/audit?cluster=lab#top", "/audit?cluster=lab#top"],
    ["/\\evil.com", "/"],
    ["//evil.com", "/"],
    ["/\\/evil.com", "/"],
    ["https://evil.com", "/"],
    ["evil.com", "/"],
    ["/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"],
    ["/\tevil", "/"],
    ["", "/"],
    [undefined, "/"],
  ])("%s → %s", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});
