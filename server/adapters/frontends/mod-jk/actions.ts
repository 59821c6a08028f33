import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import type { TAdminState } from "@/server/domain/member-state";
import { AppError } from "@/server/errors";
import { balancerSettingProblem, type TBalancerSettingSpec } from "@/server/domain/balancer-settings";
import {
  MAX_DISTANCE,
  kindSettingProblem,
  type TMemberSettingName,
  type TMemberSettingsCapability,
} from "@/server/domain/member-settings";
import { jkResultIsError, parseJkStatusXml } from "./parse";

/**
 * Changes through mod_jk 1.2.48's status worker, `cmd=update` (docs/reference/mod-jk-status.md §2, §4, §6,
 * §7):
 * - GET with every parameter in the query string: status_parse_uri reads nothing else.
 * - Always HTTP 200; the outcome is only in `<result type= message=>`, so the reply is parsed and an
 *   ERROR becomes an AppError carrying mod_jk's own message.
 * - Out-of-range numbers are silently ignored with result OK, so they are refused here first.
 */

/** Query parameter names of cmd=update for one lb member. */
export const JK_UPDATE_PARAMS = {
  command: "cmd",
  mime: "mime",
  /** The lb worker. */
  worker: "w",
  /** The member ("sub worker"). */
  member: "sw",
  activation: "vwa",
  lbfactor: "vwf",
  route: "vwn",
  redirect: "vwr",
  domain: "vwc",
  distance: "vwd",
} as const;

const UPDATE_COMMAND = "update";
const XML_MIME = "xml";

/**
 * mod_jk looks only at the first character of vwa and takes ANY unrecognised value as ACT, so a typo
 * would silently re-activate a member: only these three digits are ever sent.
 */
export const JK_ACTIVATION_CODES = { active: "0", disabled: "1", stopped: "2" } as const;

/**
 * The vwa code for each console state (null: not settable on mod_jk).
 * - draining → DIS: mod_jk's "disabled" still serves sticky requests, which is what draining means.
 * - disabled → STP: "no traffic at all" has exactly one activation in mod_jk, stopped; there is no
 *   separate disabled-without-stop as in httpd, so disabled reads back as stopped (observedStateFor).
 * - standby → none: mod_jk has no hot-standby activation (its nearest thing is `distance`).
 */
export const JK_ACTIVATION_FOR_STATE: Readonly<Record<TAdminState, string | null>> = {
  active: JK_ACTIVATION_CODES.active,
  draining: JK_ACTIVATION_CODES.disabled,
  disabled: JK_ACTIVATION_CODES.stopped,
  stopped: JK_ACTIVATION_CODES.stopped,
  standby: null,
};

/** What each console state reads back as on mod_jk (see JK_ACTIVATION_FOR_STATE). */
export const JK_OBSERVED_STATE: Readonly<Record<TAdminState, TAdminState | null>> = {
  active: "active",
  draining: "draining",
  disabled: "stopped",
  stopped: "stopped",
  standby: null,
};

/** lbfactor is an int; vwf=0 or anything atoi cannot read is ignored with result OK. */
export const LBFACTOR_RANGE = { min: 1, max: 100_000 } as const;

/** `update` (unlike every other command) expands these in `sw`, so one request could change several members. */
const WILDCARD_CHARACTERS = /[*?]/;

function assertSingleMember(memberKey: string): void {
  if (WILDCARD_CHARACTERS.test(memberKey)) {
    throw new AppError(
      "INVALID_INPUT",
      `member "${memberKey}" contains "*" or "?": jkstatus update treats them as wildcards and would change every matching member`,
      { memberKey },
    );
  }
}

function updateUrl(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string | null,
  change: [string, string],
): string {
  const url = new URL(target.url);
  url.search = new URLSearchParams([
    [JK_UPDATE_PARAMS.command, UPDATE_COMMAND],
    [JK_UPDATE_PARAMS.mime, XML_MIME],
    [JK_UPDATE_PARAMS.worker, balancer.name],
    // Without `sw` the update is to the lb worker itself (lb-level settings).
    ...(memberKey === null ? [] : [[JK_UPDATE_PARAMS.member, memberKey] as [string, string]]),
    change,
  ]).toString();
  return url.toString();
}

/** Sends one update and turns a result other than OK into an AppError with mod_jk's message. */
async function sendUpdate(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string | null,
  change: [string, string],
): Promise<void> {
  if (memberKey !== null) assertSingleMember(memberKey);
  const text = await fetchText(updateUrl(target, balancer, memberKey, change), {
    timeoutMs: target.timeoutMs,
    username: target.username,
    password: target.password,
  });
  const { result } = parseJkStatusXml(text);
  const context = { url: target.url, balancer: balancer.name, memberKey, result };
  if (result === null) {
    // 1.2.48 always prints a result; without one nothing says whether the update was applied.
    throw new AppError("UNEXPECTED_RESPONSE", "jkstatus answered the update without a <result> element", context);
  }
  if (jkResultIsError(result)) {
    // e.g. "This command is not allowed in read only mode." from a read_only status worker.
    throw new AppError("UNEXPECTED_RESPONSE", `jkstatus refused: ${result.message}`, context);
  }
}

export async function setJkAdminState(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  state: TAdminState,
): Promise<void> {
  const code = JK_ACTIVATION_FOR_STATE[state];
  if (code === null) {
    throw new AppError(
      "INVALID_INPUT",
      `mod_jk has no ${state} state (its activations are ACT, DIS and STP; the nearest to hot standby is a higher "distance")`,
      { state },
    );
  }
  await sendUpdate(target, balancer, memberKey, [JK_UPDATE_PARAMS.activation, code]);
}

export async function setJkWeight(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  weight: number,
): Promise<void> {
  if (!Number.isInteger(weight) || weight < LBFACTOR_RANGE.min || weight > LBFACTOR_RANGE.max) {
    throw new AppError(
      "INVALID_INPUT",
      `weight ${weight} is not valid for mod_jk: lbfactor must be a whole number from ${LBFACTOR_RANGE.min} to ${LBFACTOR_RANGE.max} ` +
        "(mod_jk silently ignores anything else)",
      { weight, ...LBFACTOR_RANGE },
    );
  }
  await sendUpdate(target, balancer, memberKey, [JK_UPDATE_PARAMS.lbfactor, String(weight)]);
}

/**
 * mod_jk 1.2.48 refuses (result ERROR "too long") a route, redirect or domain of 61 characters or more, and
 * keeps 60 (measured on the lab). distance goes through atoi and any value >= 0 is kept; a negative one is
 * ignored with result OK, so it is refused here. An empty vwn clears the route: refused; an empty vwr/vwc
 * clears the redirect/domain, which operators do.
 */
export const JK_MAX_SETTING_TEXT = 60;
export const JK_MEMBER_SETTINGS: TMemberSettingsCapability = {
  route: { maxLength: JK_MAX_SETTING_TEXT, clearable: false },
  redirect: { maxLength: JK_MAX_SETTING_TEXT, clearable: true },
  domain: { maxLength: JK_MAX_SETTING_TEXT, clearable: true },
  distance: { min: 0, max: MAX_DISTANCE },
};

const JK_SETTING_PARAMS: Readonly<Partial<Record<TMemberSettingName, string>>> = {
  route: JK_UPDATE_PARAMS.route,
  redirect: JK_UPDATE_PARAMS.redirect,
  domain: JK_UPDATE_PARAMS.domain,
  distance: JK_UPDATE_PARAMS.distance,
};

export async function setJkMemberSetting(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  name: TMemberSettingName,
  value: string | number,
): Promise<void> {
  const param = JK_SETTING_PARAMS[name];
  const problem = param
    ? kindSettingProblem(JK_MEMBER_SETTINGS, "mod_jk", name, value)
    : `mod_jk has no ${name} setting (its nearest to httpd's lbset is distance)`;
  if (problem || !param) {
    throw new AppError("INVALID_INPUT", problem ?? `mod_jk has no ${name} setting`, { setting: name, value });
  }
  await sendUpdate(target, balancer, memberKey, [param, String(value)]);
}

/**
 * lb-level settings (§4 "lb parameters"), keyed by the attribute jkstatus shows. vlm is read by its first
 * character (an unknown one means Request), so only the five names are sent; vlr and vlt must be > 0 or are
 * ignored; vls takes 1/0 and reads back True/False.
 */
export const JK_BALANCER_SETTINGS = {
  method: {
    type: "enum",
    values: ["Request", "Traffic", "Busyness", "Sessions", "Next"],
    meaning:
      "How mod_jk picks the member of a new request: by requests, bytes, fewest in flight, sessions, or in turn.",
  },
  sticky_session: {
    type: "switch",
    shownOn: "True",
    shownOff: "False",
    meaning: "on: a request with a session id goes to the member its jvmRoute names.",
  },
  retries: {
    type: "int",
    min: 1,
    max: 1000,
    meaning: "How many times mod_jk tries to send a request to the members before it answers an error.",
  },
  recover_time: {
    type: "int",
    min: 1,
    max: 86_400,
    meaning: "Seconds mod_jk leaves a member in error alone before it tries it again.",
  },
} as const satisfies Record<string, TBalancerSettingSpec>;

const JK_BALANCER_PARAMS: Readonly<Record<keyof typeof JK_BALANCER_SETTINGS, string>> = {
  method: "vlm",
  sticky_session: "vls",
  retries: "vlr",
  recover_time: "vlt",
};

export async function setJkBalancerSetting(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  name: string,
  value: string,
): Promise<void> {
  const spec = (JK_BALANCER_SETTINGS as Record<string, TBalancerSettingSpec>)[name];
  const problem = spec ? balancerSettingProblem(name, spec, value) : `mod_jk has no lb setting ${name}`;
  if (problem || !spec) throw new AppError("INVALID_INPUT", problem ?? name, { setting: name, value });
  const param = JK_BALANCER_PARAMS[name as keyof typeof JK_BALANCER_PARAMS];
  const sent = spec.type === "switch" ? (value === "on" ? "1" : "0") : value;
  await sendUpdate(target, balancer, null, [param, sent]);
}
