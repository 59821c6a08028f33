import type { TAdminState, THealth } from "@/server/domain/member-state";

/**
 * `show servers state` columns srv_admin_state (a bit field) and srv_op_state, HAProxy 2.6
 * (include/haproxy/server-t.h `enum srv_admin` / `enum srv_state`; management guide §9.3 "show servers
 * state"). See docs/reference/haproxy-runtime-api.md for what was verified against the lab's HAProxy.
 */
export const HAPROXY_ADMIN_BITS = {
  /** `set server … state maint` (forced maintenance). */
  forcedMaint: 0x01,
  /** Maintenance inherited from a tracked server. */
  inheritedMaint: 0x02,
  /** `disabled` in the configuration. */
  configMaint: 0x04,
  /** `set server … state drain` (forced drain). */
  forcedDrain: 0x08,
  /** Drain inherited from a tracked server. */
  inheritedDrain: 0x10,
  /** Down because its address could not be resolved. */
  resolutionMaint: 0x20,
  /** Not a maintenance: the FQDN was set over the runtime API. */
  fqdnSetByApi: 0x40,
} as const;

const MAINT_MASK =
  HAPROXY_ADMIN_BITS.forcedMaint |
  HAPROXY_ADMIN_BITS.inheritedMaint |
  HAPROXY_ADMIN_BITS.configMaint |
  HAPROXY_ADMIN_BITS.resolutionMaint;
const DRAIN_MASK = HAPROXY_ADMIN_BITS.forcedDrain | HAPROXY_ADMIN_BITS.inheritedDrain;

export const HAPROXY_OP_STATES = { stopped: 0, starting: 1, running: 2, stopping: 3 } as const;

export interface TNormalizedMemberStatus {
  adminState: TAdminState;
  health: THealth;
}

/**
 * Any maintenance bit → stopped: MAINT sends no traffic at all, sticky requests included (a
 * `use-server` rule for a server in MAINT is skipped), and suspends health checks. There is no
 * separate "disabled" in HAProxy, so the console's disabled is sent as maint and reads back as stopped.
 * Any drain bit → draining: DRAIN takes no new sessions but still serves persistent (sticky) ones,
 * `use-server` and cookie persistence included. Maintenance wins when both are set (no traffic at all).
 * Everything else → active. A weight of 0 is not an admin state: it is shown as the weight.
 */
export function readHaproxyAdminState(adminBits: number): TAdminState {
  if (adminBits & MAINT_MASK) return "stopped";
  if (adminBits & DRAIN_MASK) return "draining";
  return "active";
}

/**
 * RUNNING → healthy; STOPPING (running, but a check said 404 with disable-on-404, or an agent said
 * "stopping": only persistent traffic) → healthy, it still serves; STARTING (slowstart) → recovering;
 * STOPPED → failing (its checks fail), except in maintenance, where HAProxy forces STOPPED and runs no
 * check at all: no reading, unknown. Any other value → unknown.
 */
export function readHaproxyHealth(opState: number, adminBits: number): THealth {
  if (adminBits & MAINT_MASK) return "unknown";
  switch (opState) {
    case HAPROXY_OP_STATES.running:
    case HAPROXY_OP_STATES.stopping:
      return "healthy";
    case HAPROXY_OP_STATES.starting:
      return "recovering";
    case HAPROXY_OP_STATES.stopped:
      return "failing";
    default:
      return "unknown";
  }
}

export function normalizeMemberStatus(opState: number, adminBits: number): TNormalizedMemberStatus {
  return { adminState: readHaproxyAdminState(adminBits), health: readHaproxyHealth(opState, adminBits) };
}
