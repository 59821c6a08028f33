import { describe, expect, it } from "vitest";
import { appendSample, MAX_SAMPLES, predictFinish, type TSample } from "@/server/services/rollouts/predict";

describe("predictFinish", () => {
  it("extrapolates a falling line to zero", () => {
    // 10 sessions ending one per second from t=0: 0 at t=10 s.
    const s: TSample[] = [0, 1, 2, 3, 4].map((i) => [i * 1000, 10 - i]);
    expect(predictFinish(s)).toBe(10_000);
  });
  it("says nothing when remaining is flat or rising, or with too few samples", () => {
    expect(
      predictFinish([
        [0, 5],
        [1000, 5],
        [2000, 5],
      ]),
    ).toBeNull();
    expect(
      predictFinish([
        [0, 5],
        [1000, 6],
        [2000, 7],
      ]),
    ).toBeNull();
    expect(
      predictFinish([
        [0, 5],
        [1000, 4],
      ]),
    ).toBeNull();
    expect(predictFinish([])).toBeNull();
  });
  it("is the last sample's time once nothing remains", () => {
    expect(
      predictFinish([
        [0, 3],
        [5000, 0],
      ]),
    ).toBe(5000);
  });
});

describe("appendSample", () => {
  it("keeps the first sample and the latest ones, bounded", () => {
    let s: TSample[] = [];
    for (let i = 0; i < MAX_SAMPLES + 50; i++) s = appendSample(s, [i, i]);
    expect(s).toHaveLength(MAX_SAMPLES);
    expect(s[0]).toEqual([0, 0]);
    expect(s.at(-1)).toEqual([MAX_SAMPLES + 49, MAX_SAMPLES + 49]);
    expect(s[1]).toEqual([51, 51]);
  });
});
