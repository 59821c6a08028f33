import type { TFrontendAdapter } from "@/server/adapters/frontends/adapter";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import { jkResultIsError, parseJkStatusXml } from "@/server/adapters/frontends/mod-jk/parse";
import { UnexpectedResponseError } from "@/server/errors";
import {
  JK_BALANCER_SETTINGS,
  JK_MEMBER_SETTINGS,
  setJkBalancerSetting,
  JK_OBSERVED_STATE,
  setJkMemberSetting,
  LBFACTOR_RANGE,
  setJkAdminState,
  setJkWeight,
} from "@/server/adapters/frontends/mod-jk/actions";

export const modJkAdapter: TFrontendAdapter = {
  kind: "mod-jk",
  label: "Apache mod_jk (jkstatus)",
  capabilities: {
    // mod_jk has ACT/DIS/STP only: DIS keeps sticky sessions (= drain); there is no standby flag.
    // "disabled" is offered too but sends STP, mod_jk's only no-traffic state (see observedStateFor).
    adminStates: ["active", "draining", "disabled", "stopped"],
    weight: { ...LBFACTOR_RANGE, integer: true },
    countsErrors: true,
    countsInFlight: true,
    memberSettings: JK_MEMBER_SETTINGS,
    balancerSettings: JK_BALANCER_SETTINGS,
  },
  fetchStatusText(target) {
    // cmd=show for just our lb worker keeps the document small; parameters go in the query string
    // (status_parse_uri reads nothing else) and everything answers HTTP 200, errors included.
    const url = new URL(target.url);
    url.search = new URLSearchParams({ cmd: "show", w: target.balancer, mime: "xml" }).toString();
    return fetchText(url.toString(), {
      timeoutMs: target.timeoutMs,
      username: target.username,
      password: target.password,
    });
  },
  parseStatus(text) {
    const status = parseJkStatusXml(text);
    // jkstatus answers 200 to everything; a misspelt lb name is only an ERROR result with no balancers.
    if (jkResultIsError(status.result)) {
      throw new UnexpectedResponseError(
        "jkstatus",
        `${status.result!.message} (check the lb worker name and the status worker URL)`,
        { result: status.result },
      );
    }
    return status;
  },
  observedStateFor: (intended) => JK_OBSERVED_STATE[intended],
  setAdminState: setJkAdminState,
  setWeight: setJkWeight,
  setMemberSetting: setJkMemberSetting,
  setBalancerSetting: setJkBalancerSetting,
};
