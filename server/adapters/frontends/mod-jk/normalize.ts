import type { TAdminState, THealth } from "@/server/domain/member-state";

/**
 * Member `activation` and `state` texts of mod_jk 1.2.48's status worker (jkstatus, all formats),
 * from `lb_activation_type` / `lb_state_type` in native/common/jk_lb_worker.c.
 * See docs/reference/mod-jk-status.md §3 and §6. mod_jk prints "unknown" for a code outside the table.
 */
export const JK_ACTIVATIONS = {
  active: "ACT",
  /** New sessions go elsewhere, sticky requests are still served: what the console calls draining. */
  disabled: "DIS",
  stopped: "STP",
} as const;

export const JK_STATES = {
  /** No request since the last maintenance run. */
  idle: "OK/IDLE",
  ok: "OK",
  /** All connections busy. */
  busy: "OK/BUSY",
  error: "ERR",
  /** Marked for recovery (cmd=recover, or recover_time elapsed): the next suitable request tries it. */
  recover: "ERR/REC",
  /** Being probed by a request right now. */
  probe: "ERR/PRB",
  /** Forced recovery: in error, but used because no other member is left. */
  force: "ERR/FRC",
} as const;

export interface TNormalizedMemberStatus {
  adminState: TAdminState;
  health: THealth;
}

/**
 * ACT → active, DIS → draining (mod_jk "disabled" keeps sticky sessions, so it is httpd's Drn, not
 * httpd's Dis), STP → stopped. mod_jk has no hot standby (the nearest is `distance`).
 * Anything else ("unknown", which mod_jk prints for a corrupt shared-memory code) → draining, because
 * that is how mod_jk's own routing treats it: JK_WORKER_USABLE requires activation == ACTIVE (so no
 * new sessions) and JK_WORKER_USABLE_STICKY only excludes STOPPED (so sticky requests still go there).
 * Texts are compared case-insensitively; mod_jk prints them upper case.
 */
export function readJkAdminState(activation: string): TAdminState {
  switch (activation.trim().toUpperCase()) {
    case JK_ACTIVATIONS.active:
      return "active";
    case JK_ACTIVATIONS.disabled:
      return "draining";
    case JK_ACTIVATIONS.stopped:
      return "stopped";
    default:
      return "draining";
  }
}

/**
 * OK, OK/IDLE, OK/BUSY → healthy (OK/BUSY only means all connections are in use; it still gets requests).
 * ERR → failing: mod_jk will not route to it until recover_time has passed.
 * ERR/REC, ERR/PRB, ERR/FRC → recovering: still in error, but the next suitable request will try it.
 * Anything else (e.g. "unknown") → unknown: no usable reading.
 */
export function readJkHealth(state: string): THealth {
  switch (state.trim().toUpperCase()) {
    case JK_STATES.ok:
    case JK_STATES.idle:
    case JK_STATES.busy:
      return "healthy";
    case JK_STATES.error:
      return "failing";
    case JK_STATES.recover:
    case JK_STATES.probe:
    case JK_STATES.force:
      return "recovering";
    default:
      return "unknown";
  }
}

/** Maps one member's `activation` and `state` attributes onto the normalized admin state and health. */
export function normalizeMemberStatus(activation: string, state: string): TNormalizedMemberStatus {
  return { adminState: readJkAdminState(activation), health: readJkHealth(state) };
}
