import { describe, expect, it } from "vitest";
import type { TAdminState, THealth } from "@/server/domain/member-state";
import { HAPROXY_ADMIN_BITS, HAPROXY_OP_STATES, normalizeMemberStatus } from "./normalize";

const B = HAPROXY_ADMIN_BITS;
const OP = HAPROXY_OP_STATES;

// srv_admin_state values HAProxy 2.6 can print (docs/reference/haproxy-runtime-api.md §4), alone and combined.
const ADMIN: [bits: number, adminState: TAdminState][] = [
  [0, "active"],
  [B.forcedDrain, "draining"],
  [B.inheritedDrain, "draining"],
  [B.forcedMaint, "stopped"],
  [B.inheritedMaint, "stopped"],
  [B.configMaint, "stopped"],
  [B.resolutionMaint, "stopped"],
  [B.configMaint | B.forcedMaint, "stopped"],
  // drain set, then maint on top: maintenance wins (no traffic at all).
  [B.forcedDrain | B.forcedMaint, "stopped"],
  // The FQDN-set-over-the-API flag is not a maintenance.
  [B.fqdnSetByApi, "active"],
  [B.fqdnSetByApi | B.forcedDrain, "draining"],
];

const OPS: [op: number, health: THealth][] = [
  [OP.running, "healthy"],
  [OP.stopping, "healthy"],
  [OP.starting, "recovering"],
  [OP.stopped, "failing"],
  [7, "unknown"],
];

describe("normalizeMemberStatus (HAProxy 2.6 srv_admin_state × srv_op_state)", () => {
  it.each(ADMIN.flatMap(([bits, adminState]) => OPS.map(([op, health]) => [bits, op, adminState, health] as const)))(
    "admin=0x%s op=%s",
    (bits, op, adminState, health) => {
      // In maintenance HAProxy forces the op state to STOPPED and runs no check: no health reading.
      const expectedHealth = adminState === "stopped" ? "unknown" : health;
      expect(normalizeMemberStatus(op, bits)).toStrictEqual({ adminState, health: expectedHealth });
    },
  );

  it("covers every admin bit and op state", () => {
    for (const bit of Object.values(B)) expect(ADMIN.some(([bits]) => bits === bit)).toBe(true);
    for (const op of Object.values(OP)) expect(OPS.some(([o]) => o === op)).toBe(true);
  });
});
