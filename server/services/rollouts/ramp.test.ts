import { describe, expect, it } from "vitest";
import { rampWeights } from "@/server/services/rollouts/ramp";

const JK = { min: 1, max: 100, integer: true };
const BM = { min: 1, max: 100, integer: false };

describe("rampWeights", () => {
  it("steps through percents of the original weight, ending exactly at it", () => {
    expect(rampWeights(8, [25, 50, 100], JK)).toEqual([2, 4, 8]);
    expect(rampWeights(10, [25, 50, 100], BM)).toEqual([2.5, 5, 10]);
  });
  it("never goes below the kind's minimum: weight 1 stays 1", () => {
    expect(rampWeights(1, [25, 50, 100], JK)).toEqual([1, 1, 1]);
    expect(rampWeights(3, [10, 100], JK)).toEqual([1, 3]);
  });
  it("keeps the original where the kind has no runtime weight", () => {
    expect(rampWeights(5, [25, 100], null)).toEqual([5, 5]);
  });
});
