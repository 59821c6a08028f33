import type { TFrontendAdapter } from "@/server/adapters/frontends/adapter";
import { HAPROXY_OBSERVED_STATE, HAPROXY_WEIGHT_RANGE, setHaproxyAdminState, setHaproxyWeight } from "./actions";
import { haproxyStatusCommand, parseHaproxyStatus } from "./parse";
import { assertHaproxyName, sendHaproxyCommand } from "./transport";

export const haproxyAdapter: TFrontendAdapter = {
  kind: "haproxy",
  label: "HAProxy (runtime API)",
  targetExample: { url: "tcp://10.0.0.3:9999 or unix:/run/haproxy/admin.sock", balancer: "the backend name" },
  capabilities: {
    // ready / drain / maint; "disabled" is sent as maint (HAProxy's only no-traffic state) and reads
    // back as stopped. No standby: backup servers exist only in the configuration.
    adminStates: ["active", "draining", "disabled", "stopped"],
    weight: { ...HAPROXY_WEIGHT_RANGE, integer: true },
    countsErrors: true,
    countsInFlight: true,
    notes: {
      draining:
        "HAProxy drain: no new sessions, but requests of existing sticky sessions (use-server rules, cookie or " +
        "stick-table persistence) keep going to the server until they end.",
      disabled:
        "HAProxy has one no-traffic state, maint (sticky requests go elsewhere too): disable sets it and it reads back as stopped.",
      standby: "HAProxy has no runtime standby: backup servers are set in its configuration only.",
    },
    settingsNote:
      "HAProxy's runtime API cannot change a server's route: stickiness is its cookie value or use-server rule, " +
      "both in the configuration; it has no redirect, lbset, domain or distance either (backup servers are configuration).",
  },
  fetchStatusText(target) {
    assertHaproxyName("backend", target.balancer);
    return sendHaproxyCommand(target.url, haproxyStatusCommand(target.balancer), target.timeoutMs);
  },
  parseStatus: parseHaproxyStatus,
  observedStateFor: (intended) => HAPROXY_OBSERVED_STATE[intended],
  setAdminState: setHaproxyAdminState,
  setWeight: setHaproxyWeight,
};
