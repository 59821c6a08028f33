import type { TAdminState } from "@/server/domain/member-state";
import { JK_ACTIVATION_FOR_STATE, JK_UPDATE_PARAMS } from "@/server/adapters/frontends/mod-jk/actions";
import { JK_ACTIVATIONS, JK_STATES } from "@/server/adapters/frontends/mod-jk/normalize";
import {
  advanceCounters,
  busyAt,
  newCounters,
  type TCounters,
  type TSyntheticFlip,
  type TSyntheticMemberSpec,
} from "./members";

/**
 * A mod_jk 1.2.48 status worker (jkstatus) with one lb worker of N AJP members, shaped like the
 * captures in server/adapters/frontends/mod-jk/__fixtures__ (03-show-lb.xml for cmd=show,
 * 20-update-…response.xml for cmd=update, 50/51-err-… for unknown workers): one attribute per line,
 * the same attributes in the same order, always HTTP 200 with the outcome in `<jk:result>`.
 */
interface TJkMember {
  spec: TSyntheticMemberSpec;
  activation: string;
  state: string;
  lbfactor: number;
  counters: TCounters;
}

const ACTIVATION_BY_CODE: Record<string, string> = {
  "0": JK_ACTIVATIONS.active,
  "1": JK_ACTIVATIONS.disabled,
  "2": JK_ACTIVATIONS.stopped,
};

export class SyntheticJkStatus {
  private readonly members: TJkMember[];
  private readonly byName = new Map<string, TJkMember>();
  private readonly resetAt: number;
  changes = 0;

  constructor(
    readonly balancer: string,
    specs: readonly TSyntheticMemberSpec[],
    private readonly now: () => number = Date.now,
  ) {
    const started = now();
    this.resetAt = Math.floor(started / 1000);
    this.members = specs.map((spec) => ({
      spec,
      activation: JK_ACTIVATIONS.active,
      state: JK_STATES.ok,
      lbfactor: 1,
      counters: newCounters(started),
    }));
    for (const m of this.members) this.byName.set(m.spec.name, m);
  }

  /** Answers one jkstatus request (its query string), as the XML mod_jk would print. */
  answer(query: URLSearchParams): string {
    const cmd = query.get(JK_UPDATE_PARAMS.command) ?? "list";
    if (query.get(JK_UPDATE_PARAMS.worker) !== this.balancer) return result("ERROR", "Could not find given worker");
    if (cmd === "show") return this.renderShow();
    if (cmd !== "update") return result("ERROR", "Invalid command");
    const m = this.byName.get(query.get(JK_UPDATE_PARAMS.member) ?? "");
    if (!m) return result("ERROR", "could not find sub worker");
    // mod_jk reads only the first character of vwa and takes anything unknown as ACT.
    const vwa = query.get(JK_UPDATE_PARAMS.activation);
    if (vwa !== null) m.activation = ACTIVATION_BY_CODE[vwa.charAt(0)] ?? JK_ACTIVATIONS.active;
    const vwf = query.get(JK_UPDATE_PARAMS.lbfactor);
    if (vwf !== null && Number.parseInt(vwf, 10) > 0) m.lbfactor = Number.parseInt(vwf, 10);
    this.changes++;
    return result("OK", "Action finished");
  }

  flip(name: string, flip: TSyntheticFlip): void {
    const m = this.byName.get(name);
    if (!m) throw new Error(`no member ${name}`);
    if (flip.adminState) m.activation = activationFor(flip.adminState);
    if (flip.failing !== undefined) m.state = flip.failing ? JK_STATES.error : JK_STATES.ok;
  }

  private renderShow(): string {
    const t = this.now();
    const unix = Math.floor(t / 1000);
    const good = this.members.filter((m) => m.state !== JK_STATES.error).length;
    const out: string[] = [
      '<?xml version="1.0" encoding="UTF-8" ?>',
      "<jk:status",
      '  xmlns:jk="http://tomcat.apache.org">',
      "<jk:server",
      '  name="127.0.0.1"',
      '  port="8091"',
      "/>",
      "<jk:time",
      `  datetime="${new Date(t).toISOString().replace(/\D/g, "").slice(0, 14)}"`,
      '  tz="+0000"',
      `  unix="${unix}"`,
      "/>",
      "<jk:software",
      '  web_server="Apache/2.4.71 (Debian) mod_jk/1.2.48"',
      '  jk_version="mod_jk/1.2.48"',
      "/>",
      "  <jk:balancer",
      ...attributeLines("    ", [
        ["name", this.balancer],
        ["type", "lb"],
        ["sticky_session", "True"],
        ["sticky_session_force", "False"],
        ["retries", 2],
        ["recover_time", 60],
        ["error_escalation_time", 30],
        ["max_reply_timeouts", 0],
        ["method", "Request"],
        ["lock", "Optimistic"],
        ["member_count", this.members.length],
        ["good", good],
        ["degraded", 0],
        ["bad", this.members.length - good],
        ["busy", 0],
        ["max_busy", 0],
        ["map_count", 1],
        ["time_to_maintenance_min", 49],
        ["time_to_maintenance_max", 109],
        ["last_reset_at", this.resetAt],
        ["last_reset_ago", unix - this.resetAt],
      ]),
      "  >",
    ];
    for (const m of this.members) {
      const share = m.activation === JK_ACTIVATIONS.active && m.state !== JK_STATES.error ? 1 : 0;
      const c = advanceCounters(m.counters, m.spec, t, share);
      const busy = busyAt(m.spec, t);
      out.push(
        "      <jk:member",
        ...attributeLines("        ", [
          ["name", m.spec.name],
          ["type", "ajp13"],
          ["host", m.spec.host],
          ["port", m.spec.ajpPort],
          ["address", `${m.spec.host}:${m.spec.ajpPort}`],
          ["source", "undefined"],
          ["connection_pool_timeout", 0],
          ["ping_timeout", 10000],
          ["connect_timeout", 0],
          ["prepost_timeout", 0],
          ["reply_timeout", 0],
          ["connection_ping_interval", 0],
          ["retries", 2],
          ["recovery_options", 0],
          ["busy_limit", 0],
          ["max_packet_size", 8192],
          ["activation", m.activation],
          ["lbfactor", m.lbfactor],
          ["route", m.spec.route],
          ["redirect", ""],
          ["domain", ""],
          ["distance", 0],
          ["state", m.state],
          ["lbmult", 1],
          ["lbvalue", 0],
          ["elected", c.elected],
          ["sessions", 0],
          ["errors", c.errors],
          ["client_errors", 0],
          ["reply_timeouts", 0],
          ["transferred", c.transferred],
          ["read", c.read],
          ["busy", busy],
          ["max_busy", 1],
          ["connected", busy],
          ["max_connected", 1],
          ["time_to_recover_min", 0],
          ["time_to_recover_max", 0],
          ["last_reset_at", this.resetAt],
          ["last_reset_ago", unix - this.resetAt],
        ]),
        "      />",
      );
    }
    out.push(
      "      <jk:map",
      ...attributeLines("        ", [
        ["id", 1],
        ["server", "127.0.0.1"],
        ["uri", "/app/*"],
        ["type", "Wildchar"],
        ["source", "JkMount"],
        ["reply_timeout", -1],
        ["sticky_ignore", 0],
        ["stateless", 0],
        ["fail_on_status", ""],
        ["active", ""],
        ["disabled", ""],
        ["stopped", ""],
        ["use_server_errors", 0],
      ]),
      "      />",
      "  </jk:balancer>",
      "  <jk:result",
      '    type="OK"',
      '    message="Action finished"',
      "  />",
      "</jk:status>",
      "",
    );
    return out.join("\n");
  }
}

function attributeLines(indent: string, attributes: Array<[string, string | number]>): string[] {
  return attributes.map(([k, v]) => `${indent}${k}="${v}"`);
}

function result(type: "OK" | "ERROR", message: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    "<jk:status",
    '  xmlns:jk="http://tomcat.apache.org">',
    "  <jk:result",
    `    type="${type}"`,
    `    message="${message}"`,
    "  />",
    "</jk:status>",
    "",
  ].join("\n");
}

function activationFor(state: TAdminState): string {
  const code = JK_ACTIVATION_FOR_STATE[state];
  if (code === null) throw new Error(`mod_jk has no ${state}`);
  return ACTIVATION_BY_CODE[code]!;
}
