/**
 * Exit codes of `clusterdeck`, a contract for scripts (also printed by `clusterdeck --help`):
 *
 *   0  every frontend that routes to the member confirmed the change (server "overall": "done",
 *      and with --wait the console's own polls showed it too). Read commands: the answer was printed.
 *   1  partial / not confirmed: some frontends confirmed and some did not (failed, not-verified),
 *      --wait timed out, or the console's answer could not be understood (outcome unknown).
 *   2  usage or validation error: bad arguments, HTTP 400, unknown cluster or member (404), or the
 *      guard rail refused because no member would stay active (409; --force overrides).
 *   3  authentication or authorization: no token given, HTTP 401 or 403.
 *   4  the console cannot be reached: connection refused, DNS failure, timeout, 502/503/504.
 *   5  the action failed on every frontend (server "overall": "failed"); nothing was changed.
 *
 * Never 0 unless the server said "done": a script may treat 0 as "the balancers agree".
 */
export const EXIT = {
  OK: 0,
  PARTIAL: 1,
  USAGE: 2,
  AUTH: 3,
  UNREACHABLE: 4,
  FAILED: 5,
  /** `inventory plan` only: changes are planned (terraform plan -detailed-exitcode's 2; its errors are 1). */
  CHANGES_PLANNED: 2,
} as const;
export type TExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  done: every frontend that routes to the member confirmed (and --wait saw it);
     status: printed
  1  partial: some frontends confirmed, some did not (failed, not-verified,
     --wait timed out), or the console's answer could not be understood
  2  usage or validation error (bad arguments, 400, unknown cluster/member 404,
     guard-rail refusal 409: use --force)
  3  authentication/authorization (no token, 401, 403)
  4  the console cannot be reached (connection refused, timeout)
  5  the action failed on every frontend
inventory plan: 0 no changes, 2 changes planned, 1 an error (3, 4 as above)
`;

/** An error that ends the command with a known exit code; `hint` says what to do about it. */
export class CliError extends Error {
  constructor(
    readonly exitCode: TExitCode,
    message: string,
    readonly code: string | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = "CliError";
  }
}
