import type { TFrontendAdapter } from "@/server/adapters/frontends/adapter";
import { NGINX_OBSERVED_STATE, NGINX_WEIGHT_RANGE, setNginxAdminState, setNginxWeight } from "./actions";
import { parseNginxOptions } from "./options";
import { fetchNginxStatusText, parseNginxStatus } from "./status";

export const nginxAdapter: TFrontendAdapter = {
  kind: "nginx",
  label: "nginx (config-managed upstream)",
  capabilities: {
    adminStates: ["active", "disabled", "stopped", "standby"],
    weight: { ...NGINX_WEIGHT_RANGE, integer: true },
    countsErrors: false,
    countsInFlight: false,
    notes: {
      draining:
        "Not offered: open source nginx has no drain that keeps sticky sessions (a server takes all its requests or, when down, none). " +
        "A drain leaves the member in rotation on nginx; stopping it marks it down.",
      disabled: "nginx has one no-traffic flag (down): disabled and stopped are the same there.",
      standby:
        "Only where the upstream balances by round robin or least_conn: nginx rejects backup with hash, ip_hash and random.",
    },
    settingsNote:
      "Open source nginx has no per-server route, redirect or preference tier: its stickiness is the upstream's " +
      "hash key, the same for every server, so there is nothing per member to set.",
  },
  parseOptions: parseNginxOptions,
  privilegedOptions: [
    { path: ["options", "testCommand"], label: "nginx test command", effect: "program" },
    { path: ["options", "reloadCommand"], label: "nginx reload command", effect: "program" },
    { path: ["options", "includeFile"], label: "nginx include file", effect: "file" },
  ],
  fetchStatusText: fetchNginxStatusText,
  parseStatus: parseNginxStatus,
  observedStateFor: (intended) => NGINX_OBSERVED_STATE[intended],
  setAdminState: setNginxAdminState,
  setWeight: setNginxWeight,
};
