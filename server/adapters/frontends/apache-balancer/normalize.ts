import type { TAdminState, THealth } from "@/server/domain/member-state";

/**
 * Worker `status` tokens of Apache httpd 2.4.71 mod_proxy_balancer (balancer-manager `?xml=1`
 * `<httpd:status>`; the same text is in the HTML page and in mod_status `ProxyStatus`).
 * httpd builds the text from `proxy_wstat_tbl` (mod_proxy.c) in this fixed order, each token followed
 * by one space ("Init Drn Ok "), then appends "Ok " when the worker is usable, or prints "??? " when
 * no bit is set at all. See docs/reference/apache-balancer-manager.md §5.
 */
export const WORKER_STATUS_TOKENS = {
  init: "Init",
  ignoreErrors: "Ign",
  draining: "Drn",
  generic: "Gen",
  shutdown: "Shut",
  disabled: "Dis",
  stopped: "Stop",
  error: "Err",
  hotStandby: "Stby",
  hotSpare: "Spar",
  free: "Free",
  healthCheckFailed: "HcFl",
  /** Not a bit: appended when the worker is usable (initialised, none of Shut/Dis/Stop/Err/HcFl). */
  ok: "Ok",
  /** Not a bit: printed instead of every other token when no bit is set. */
  noFlags: "???",
} as const;

export type TWorkerStatusToken = (typeof WORKER_STATUS_TOKENS)[keyof typeof WORKER_STATUS_TOKENS];

/**
 * The status bits with the letter the manager uses for them (`w_status_<letter>` in a POST, the
 * `status=` letter in `BalancerMember`) and their value in mod_proxy.h. Kept here so that action
 * code and the UI name the same flags the parser reads; `Ok` and `???` have no letter or bit.
 */
export const WORKER_STATUS_FLAGS = [
  { token: WORKER_STATUS_TOKENS.init, letter: "O", bit: 0x001 },
  { token: WORKER_STATUS_TOKENS.ignoreErrors, letter: "I", bit: 0x002 },
  { token: WORKER_STATUS_TOKENS.draining, letter: "N", bit: 0x004 },
  { token: WORKER_STATUS_TOKENS.generic, letter: "G", bit: 0x008 },
  { token: WORKER_STATUS_TOKENS.shutdown, letter: "U", bit: 0x010 },
  { token: WORKER_STATUS_TOKENS.disabled, letter: "D", bit: 0x020 },
  { token: WORKER_STATUS_TOKENS.stopped, letter: "S", bit: 0x040 },
  { token: WORKER_STATUS_TOKENS.error, letter: "E", bit: 0x080 },
  { token: WORKER_STATUS_TOKENS.hotStandby, letter: "H", bit: 0x100 },
  { token: WORKER_STATUS_TOKENS.free, letter: "F", bit: 0x200 },
  { token: WORKER_STATUS_TOKENS.healthCheckFailed, letter: "C", bit: 0x400 },
  { token: WORKER_STATUS_TOKENS.hotSpare, letter: "R", bit: 0x800 },
] as const;

export interface TNormalizedWorkerStatus {
  adminState: TAdminState;
  health: THealth;
  /** Present (true) only for a hot spare whose admin state is standby; see readHotSpare. */
  hotSpare?: true;
}

/**
 * Splits a status text into its tokens. Tokens are separated by single spaces with a trailing one
 * ("Init Drn Ok "), but the XML parser may already have trimmed it, so any whitespace counts.
 * Tokens this version does not know are kept: they are ignored by the mapping, not rejected,
 * so a newer httpd with an extra flag still parses.
 */
export function parseStatusTokens(status: string): ReadonlySet<string> {
  return new Set(status.split(/\s+/).filter((token) => token !== ""));
}

/**
 * What an operator set. The flags are independent bits, so several can be on at once
 * (`w_status_N=1&w_status_D=1` gives "Init Drn Dis "); the most restrictive one wins:
 * - Stop: no requests at all, not even health checks or retries out of error.
 * - Dis: no requests at all, sticky ones fail over too. Checked after Stop because a stopped
 *   worker is also out of traffic and Stop is the stronger operator intent.
 * - Drn: only sticky requests for its own route (what mod_jk calls "disabled").
 * - Stby (hot standby) and Spar (hot spare) both mean "used only when others are unusable", so both are
 *   standby; a spare is told apart by readHotSpare (it replaces failed members one for one).
 * Ign (ignore errors) and HcFl (health check failed) are not admin states: Ign changes how errors
 * are treated and HcFl is an observation, see `readHealth`.
 */
export function readAdminState(tokens: ReadonlySet<string>): TAdminState {
  if (tokens.has(WORKER_STATUS_TOKENS.stopped)) return "stopped";
  if (tokens.has(WORKER_STATUS_TOKENS.disabled)) return "disabled";
  if (tokens.has(WORKER_STATUS_TOKENS.draining)) return "draining";
  if (tokens.has(WORKER_STATUS_TOKENS.hotStandby) || tokens.has(WORKER_STATUS_TOKENS.hotSpare)) return "standby";
  return "active";
}

/**
 * What httpd observes about the backend, independent of the admin flags:
 * - Err (connection failed, retried after `retry` s), HcFl (mod_proxy_hcheck said no) and Shut
 *   (worker shutting down) mean httpd will not route to it: failing. Checked first, because evidence
 *   of a failure is worth more than a missing Init.
 * - "???" (no bit at all) or no Init: the worker was never initialised in this child, so httpd has no
 *   reading of the backend: unknown.
 * - Ok present: httpd would route to it: healthy.
 * - Ok absent (and none of the above): healthy as well. "Init Dis " and "Init Stop " lack Ok only
 *   because the admin flag makes the worker unusable; nothing says the backend is bad, and the admin
 *   state already says it gets no traffic. Health is about the backend, so reporting failing here
 *   would raise a false alarm. Hence Ok itself never has to be tested.
 */
export function readHealth(tokens: ReadonlySet<string>): THealth {
  if (
    tokens.has(WORKER_STATUS_TOKENS.error) ||
    tokens.has(WORKER_STATUS_TOKENS.healthCheckFailed) ||
    tokens.has(WORKER_STATUS_TOKENS.shutdown)
  ) {
    return "failing";
  }
  if (tokens.has(WORKER_STATUS_TOKENS.noFlags) || !tokens.has(WORKER_STATUS_TOKENS.init)) return "unknown";
  return "healthy";
}

/**
 * Whether a standby member is httpd's hot spare (Spar, 2.4.34+) rather than a hot standby (Stby). They are
 * different things: a standby takes traffic only when its lbset has no usable member left, a spare stands in
 * for each failed or draining member one for one. Both take no normal traffic, so both stay the "standby"
 * admin state (drift, verbs and guard rails keep working unchanged), and this flag lets the UI name it.
 * Stby wins when both are set: the member is then held back until the whole set is gone.
 */
export function readHotSpare(tokens: ReadonlySet<string>, adminState: TAdminState): boolean {
  return (
    adminState === "standby" &&
    tokens.has(WORKER_STATUS_TOKENS.hotSpare) &&
    !tokens.has(WORKER_STATUS_TOKENS.hotStandby)
  );
}

/** Maps one `<httpd:status>` text ("Init Drn Ok ") onto the normalized admin state and health. */
export function normalizeWorkerStatus(status: string): TNormalizedWorkerStatus {
  const tokens = parseStatusTokens(status);
  const adminState = readAdminState(tokens);
  return {
    adminState,
    health: readHealth(tokens),
    ...(readHotSpare(tokens, adminState) ? { hotSpare: true as const } : {}),
  };
}
