/**
 * Procedures with no REST route, each with the reason. Everything else a person can call from the UI is
 * served at /api/v1 too (rest-parity.test.ts fails for a procedure that is in neither place).
 */
export const REST_EXCEPTIONS: Record<string, string> = {
  "auth.login": "Signs a browser in with a cookie session; scripts authenticate with an API token instead",
  "auth.logout": "Ends a browser's cookie session; a script's token is revoked with DELETE /tokens/{id}",
  "live.cluster": "A server-sent-events subscription (tRPC); REST scripts poll GET /clusters/{name}",
  "live.overview": "A server-sent-events subscription (tRPC); REST scripts poll GET /clusters",
  "live.stores": "A server-sent-events subscription (tRPC); REST scripts poll GET /clusters/{cluster}/stores/status",
};
