import { describe, expect, it } from "vitest";
import type { TAdminState, THealth } from "@/server/domain/member-state";
import { JK_ACTIVATIONS, JK_STATES, normalizeMemberStatus } from "./normalize";

// Every activation and state text of mod_jk 1.2.48 (docs/reference/mod-jk-status.md §3, §6), plus the
// "unknown" mod_jk prints for an out-of-range code and values no server prints.
const ACTIVATIONS: [activation: string, adminState: TAdminState][] = [
  ["ACT", "active"],
  ["DIS", "draining"],
  ["STP", "stopped"],
  ["unknown", "draining"],
  ["", "draining"],
  ["act", "active"],
];

const STATES: [state: string, health: THealth][] = [
  ["OK", "healthy"],
  ["OK/IDLE", "healthy"],
  ["OK/BUSY", "healthy"],
  ["ERR", "failing"],
  ["ERR/REC", "recovering"],
  ["ERR/PRB", "recovering"],
  ["ERR/FRC", "recovering"],
  ["unknown", "unknown"],
  ["N/A", "unknown"],
  ["", "unknown"],
  ["err", "failing"],
];

// Activation and state are independent in mod_jk (STP + ERR exists), so every pair is checked.
const EVERY_PAIR = ACTIVATIONS.flatMap(([activation, adminState]) =>
  STATES.map(([state, health]) => [activation, state, adminState, health] as const),
);

describe("normalizeMemberStatus (mod_jk 1.2.48 activation × state)", () => {
  it.each(EVERY_PAIR)("activation=%j state=%j → %s / %s", (activation, state, adminState, health) => {
    expect(normalizeMemberStatus(activation, state)).toStrictEqual({ adminState, health });
  });

  it("covers every activation and state constant", () => {
    const activations = new Set(ACTIVATIONS.map(([activation]) => activation));
    const states = new Set(STATES.map(([state]) => state));
    for (const activation of Object.values(JK_ACTIVATIONS)) expect(activations.has(activation)).toBe(true);
    for (const state of Object.values(JK_STATES)) expect(states.has(state)).toBe(true);
  });
});
