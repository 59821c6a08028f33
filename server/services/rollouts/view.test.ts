import { describe, expect, it } from "vitest";
import { memberProgress } from "@/server/services/rollouts/view";

describe("memberProgress", () => {
  it("is a sixth per phase, 1 when done, 0 before it starts", () => {
    expect(memberProgress("pending", [])).toBe(0);
    expect(memberProgress("drain", [])).toBe(0);
    expect(memberProgress("stop", [])).toBeCloseTo(2 / 6);
    expect(memberProgress("ramp", [])).toBeCloseTo(5 / 6);
    expect(memberProgress("done", [])).toBe(1);
  });
  it("moves within the wait as the remaining sessions fall", () => {
    expect(
      memberProgress("wait", [
        [0, 10],
        [1000, 5],
      ]),
    ).toBeCloseTo((1 + 0.5) / 6);
    expect(
      memberProgress("wait", [
        [0, 10],
        [1000, 12],
      ]),
    ).toBeCloseTo(1 / 6); // more than at the start: no progress, never negative
  });
});
