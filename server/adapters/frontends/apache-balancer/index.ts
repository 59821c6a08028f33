import type { TFrontendAdapter, TFrontendTarget } from "@/server/adapters/frontends/adapter";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import { parseBalancerManagerXml } from "@/server/adapters/frontends/apache-balancer/parse";
import {
  BM_BALANCER_SETTINGS,
  BM_MEMBER_SETTINGS,
  setBalancerManagerBalancerSetting,
  LOADFACTOR_RANGE,
  setBalancerManagerMemberSetting,
  setBalancerManagerAdminState,
  setBalancerManagerWeight,
} from "@/server/adapters/frontends/apache-balancer/actions";

/**
 * httpd only honours ?xml=1 when the Referer's hostname equals the server name it answers as
 * (safe_referer in mod_proxy_balancer.c); without it we would get HTML and an AH10187 line in the
 * error log on every poll. The status URL itself always has the right hostname.
 */
export function balancerManagerHeaders(target: TFrontendTarget): Record<string, string> {
  return { Referer: target.url };
}

export const apacheBalancerAdapter: TFrontendAdapter = {
  kind: "apache-balancer",
  label: "Apache mod_proxy_balancer (balancer-manager)",
  capabilities: {
    adminStates: ["active", "draining", "disabled", "stopped", "standby"],
    // 1-100 with decimals: httpd stores hundredths (setWeight refuses finer steps).
    weight: { ...LOADFACTOR_RANGE, integer: false },
    countsErrors: false,
    countsInFlight: true,
    memberSettings: BM_MEMBER_SETTINGS,
    balancerSettings: BM_BALANCER_SETTINGS,
  },
  fetchStatusText(target) {
    const url = new URL(target.url);
    url.search = "xml=1";
    return fetchText(url.toString(), {
      timeoutMs: target.timeoutMs,
      headers: balancerManagerHeaders(target),
      username: target.username,
      password: target.password,
    });
  },
  parseStatus: parseBalancerManagerXml,
  // Each console state is one httpd flag (Drn, Dis, Stop, Stby), so every state reads back as itself.
  observedStateFor: (intended) => intended,
  setAdminState: setBalancerManagerAdminState,
  setWeight: setBalancerManagerWeight,
  setMemberSetting: setBalancerManagerMemberSetting,
  setBalancerSetting: setBalancerManagerBalancerSetting,
};
