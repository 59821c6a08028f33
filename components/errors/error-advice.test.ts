import { describe, expect, it } from "vitest";
import { APP_ERROR_CODES } from "@/server/errors";
import { adviceFor, errorKind, isWorthRetrying } from "@/components/errors/error-advice";
import { fieldMessages } from "@/components/errors/field-errors";

describe("errorKind", () => {
  it("reads the answer's appCode", () => {
    expect(errorKind({ message: "x", data: { appCode: "TARGET_TIMEOUT" } })).toBe("TARGET_TIMEOUT");
    expect(errorKind({ message: "x", data: { appCode: "FORBIDDEN" } })).toBe("FORBIDDEN");
  });
  it("calls a request without an answer NO_ANSWER, and an unknown or missing code INTERNAL", () => {
    expect(errorKind({ message: "Failed to fetch" })).toBe("NO_ANSWER");
    expect(errorKind({ message: "Failed to fetch", data: null })).toBe("NO_ANSWER");
    expect(errorKind({ message: "x", data: { appCode: "SOMETHING_NEW" } })).toBe("INTERNAL");
    expect(errorKind({ message: "x", data: {} })).toBe("INTERNAL");
    // Inherited keys are not codes.
    expect(errorKind({ message: "x", data: { appCode: "toString" } })).toBe("INTERNAL");
  });
  it("has distinct advice for every code the server sends", () => {
    const codes = Object.keys(APP_ERROR_CODES);
    const kinds = codes.map((c) => errorKind({ message: "x", data: { appCode: c } }));
    expect(kinds).toEqual(codes);
    const advice = kinds.map((k) => adviceFor(k).advice);
    expect(new Set(advice).size).toBe(codes.length);
    for (const a of advice) expect(a.length).toBeGreaterThan(10);
  });
});

describe("isWorthRetrying", () => {
  it("retries what may pass, never what the same request would get again", () => {
    expect(isWorthRetrying({ message: "Failed to fetch" })).toBe(true);
    expect(isWorthRetrying({ message: "x", data: { appCode: "TARGET_TIMEOUT" } })).toBe(true);
    expect(isWorthRetrying({ message: "x", data: { appCode: "INTERNAL" } })).toBe(true);
    for (const code of ["NOT_FOUND", "INVALID_INPUT", "CONFLICT", "UNAUTHENTICATED", "FORBIDDEN", "TOO_MANY_REQUESTS"])
      expect(isWorthRetrying({ message: "x", data: { appCode: code } })).toBe(false);
  });
});

describe("fieldMessages", () => {
  const issues = [
    { path: "data.url", message: "must be a full URL" },
    { path: "data.url", message: "second issue on the same field" },
    { path: "data.balancer", message: "required" },
    { path: "clusterId", message: "not a form field" },
  ];
  it("maps issues under the input's wrapper to the form's field names, first message per field", () => {
    const m = fieldMessages(issues, ["url", "name", "clusterId"], "data");
    expect([...m]).toEqual([["url", "must be a full URL"]]);
  });
  it("maps top-level paths when there is no wrapper", () => {
    expect([...fieldMessages(issues, ["clusterId"])]).toEqual([["clusterId", "not a form field"]]);
  });
});
