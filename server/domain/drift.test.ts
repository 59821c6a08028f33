import { describe, expect, it } from "vitest";
import type { TAdminState } from "@/server/domain/member-state";
import { observedMatchesIntended, sameWeight } from "@/server/domain/drift";

const itself = (s: TAdminState) => s;
// mod_jk's reading: one no-traffic state.
const modJk = (s: TAdminState): TAdminState | null => (s === "disabled" ? "stopped" : s);
const noDrain = (s: TAdminState): TAdminState | null => (s === "draining" ? null : s);

describe("observedMatchesIntended", () => {
  it("compares the state in the kind's own terms", () => {
    expect(
      observedMatchesIntended({ state: "draining", weight: null }, { adminState: "draining", loadfactor: 1 }, itself),
    ).toBe(true);
    expect(
      observedMatchesIntended({ state: "draining", weight: null }, { adminState: "active", loadfactor: 1 }, itself),
    ).toBe(false);
    expect(
      observedMatchesIntended({ state: "disabled", weight: null }, { adminState: "stopped", loadfactor: 1 }, modJk),
    ).toBe(true);
    expect(
      observedMatchesIntended({ state: "disabled", weight: null }, { adminState: "stopped", loadfactor: 1 }, itself),
    ).toBe(false);
  });
  it("never holds a state the kind cannot show against it", () => {
    expect(
      observedMatchesIntended({ state: "draining", weight: null }, { adminState: "active", loadfactor: 1 }, noDrain),
    ).toBe(true);
  });
  it("compares weights within the loadfactor's two decimals, and only when one was intended", () => {
    expect(
      observedMatchesIntended({ state: null, weight: 1.5 }, { adminState: "active", loadfactor: 1.499 }, itself),
    ).toBe(true);
    expect(
      observedMatchesIntended({ state: null, weight: 1.5 }, { adminState: "active", loadfactor: 1.51 }, itself),
    ).toBe(false);
    expect(
      observedMatchesIntended({ state: null, weight: null }, { adminState: "stopped", loadfactor: 9 }, itself),
    ).toBe(true);
    expect(
      observedMatchesIntended({ state: "active", weight: 3 }, { adminState: "active", loadfactor: 2 }, itself),
    ).toBe(false);
    expect(sameWeight(2, 2.004)).toBe(true);
    expect(sameWeight(2, 2.006)).toBe(false);
  });
});
