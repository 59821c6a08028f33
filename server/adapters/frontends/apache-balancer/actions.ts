import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import type { TAdminState } from "@/server/domain/member-state";
import { AppError } from "@/server/errors";
import { balancerSettingProblem, type TBalancerSettingSpec } from "@/server/domain/balancer-settings";
import {
  LBSET_RANGE,
  MAX_SETTING_TEXT,
  kindSettingProblem,
  type TMemberSettingName,
  type TMemberSettingsCapability,
} from "@/server/domain/member-settings";
import { assertBalancerManagerXml } from "./parse";

/**
 * Changes through Apache httpd 2.4.71 mod_proxy_balancer's balancer-manager
 * (docs/reference/apache-balancer-manager.md §2, §3, §6, §7):
 * - POST only, every parameter in an application/x-www-form-urlencoded body: a POST ignores its query
 *   string, and a GET never changes anything.
 * - Needs `Referer` with the hostname we connect to, and the balancer's current nonce; without them
 *   httpd answers 200 and changes nothing.
 * - Every bad input (wrong nonce, unknown worker, out-of-range value) is also 200 + nothing changed,
 *   so this module validates what it can before sending and the caller re-reads to verify.
 */

/** POST body keys. */
export const BM_PARAMS = {
  /** Balancer name without "balancer://" (matched case-insensitively by httpd). */
  balancer: "b",
  /** Worker URL exactly as printed in <httpd:name> (the default port is left out there). */
  worker: "w",
  nonce: "nonce",
  /** Makes httpd answer with the XML status after the change instead of the HTML page. */
  xml: "xml",
  /** Load factor 1-100 in hundredths (atof x 100 must land in 100..10000). */
  loadfactor: "w_lf",
} as const;

/**
 * The administrative status flags (letters as in WORKER_STATUS_FLAGS of ./normalize). They are
 * independent bits, so every change sends all of them: the target flag 1, the others 0, and "enable"
 * all 0. Otherwise drain-then-disable would leave "Init Drn Dis " instead of a plain disabled member.
 * Hot spare (R) is no console state, but it is cleared too: it also takes a member out of normal
 * rotation, and after a change the member must be in exactly the state asked for.
 *
 * Deliberately never sent:
 * - w_status_I (ignore errors) is an error-handling setting normally made in the config
 *   (`status=+I`), not an admin state; clearing it would silently change how the member fails over.
 * - w_status_C (HcFl) is mod_proxy_hcheck's verdict on the backend. Clearing it would route traffic
 *   to a member the health check found broken; setting it would fake a failure.
 */
export const ADMIN_FLAG_PARAMS = {
  draining: "w_status_N",
  disabled: "w_status_D",
  stopped: "w_status_S",
  hotStandby: "w_status_H",
  hotSpare: "w_status_R",
} as const;

type TAdminFlagParam = (typeof ADMIN_FLAG_PARAMS)[keyof typeof ADMIN_FLAG_PARAMS];

/** The one flag each admin state turns on (null: none, i.e. enable). */
export const FLAG_FOR_STATE: Readonly<Record<TAdminState, TAdminFlagParam | null>> = {
  active: null,
  draining: ADMIN_FLAG_PARAMS.draining,
  disabled: ADMIN_FLAG_PARAMS.disabled,
  stopped: ADMIN_FLAG_PARAMS.stopped,
  standby: ADMIN_FLAG_PARAMS.hotStandby,
};

const FLAG_ON = "1";
const FLAG_OFF = "0";

/** balancer_handler reads the POST body with a single 1024-byte read; anything past it is silently lost. */
export const MAX_POST_BODY_BYTES = 1024;

/** httpd keeps the load factor as an integer number of hundredths. */
const LOADFACTOR_SCALE = 100;
export const LOADFACTOR_RANGE = { min: 1, max: 100 } as const;

function requireNonce(target: TFrontendTarget, balancer: TBalancerSnapshot): string {
  if (balancer.nonce === null || balancer.nonce === "") {
    // ProxySet nonce=None is documented as "no nonce check", but in 2.4.71 it leaves the nonce empty
    // and balancer_handler then refuses every change (docs/reference/apache-balancer-manager.md §3).
    throw new AppError(
      "UNEXPECTED_RESPONSE",
      `balancer "${balancer.name}" at ${target.url} cannot be changed through balancer-manager: its nonce is empty ` +
        "(ProxySet nonce=None, which httpd 2.4.71 treats as read-only); remove nonce=None or set a fixed nonce",
      { url: target.url, balancer: balancer.name },
    );
  }
  return balancer.nonce;
}

/** httpd URL-decodes every key and value twice (push2table), so a literal "%" would be decoded into something else. */
function assertNoPercent(what: string, value: string): void {
  if (value.includes("%")) {
    throw new AppError(
      "INVALID_INPUT",
      `${what} "${value}" contains "%": balancer-manager URL-decodes parameters twice, so it would address something else`,
      { what, value },
    );
  }
}

function buildBody(
  balancer: TBalancerSnapshot,
  memberKey: string | null,
  nonce: string,
  change: ReadonlyArray<[string, string]>,
): URLSearchParams {
  assertNoPercent("balancer name", balancer.name);
  if (memberKey !== null) assertNoPercent("member", memberKey);
  // Without `w` only the balancer-level parameters are applied (balancer-level settings).
  const body = new URLSearchParams([
    [BM_PARAMS.balancer, balancer.name],
    ...(memberKey === null ? [] : [[BM_PARAMS.worker, memberKey] as [string, string]]),
    [BM_PARAMS.nonce, nonce],
    ...change,
    [BM_PARAMS.xml, "1"],
  ]);
  const bytes = Buffer.byteLength(body.toString());
  if (bytes > MAX_POST_BODY_BYTES) {
    throw new AppError(
      "INVALID_INPUT",
      `balancer-manager change for "${memberKey ?? balancer.name}" would be ${bytes} bytes; httpd reads only the first ${MAX_POST_BODY_BYTES} and drops the rest`,
      { bytes, memberKey },
    );
  }
  return body;
}

/**
 * Sends one change. The reply (xml=1) is checked only as a guard (root element, complete): an HTML page
 * means httpd dropped every parameter (Referer hostname mismatch, docs/reference/apache-balancer-manager.md
 * §3), so nothing was applied. Whether the change itself took is for the caller's re-read to say.
 */
async function postChange(target: TFrontendTarget, body: URLSearchParams): Promise<void> {
  const text = await fetchText(target.url, {
    method: "POST",
    body,
    // fetch sets Content-Type application/x-www-form-urlencoded;charset=UTF-8 for a URLSearchParams body.
    headers: { Referer: target.url },
    timeoutMs: target.timeoutMs,
    username: target.username,
    password: target.password,
  });
  assertBalancerManagerXml(text);
}

export function adminStateChange(state: TAdminState): Array<[string, string]> {
  const on = FLAG_FOR_STATE[state];
  return Object.values(ADMIN_FLAG_PARAMS).map((param) => [param, param === on ? FLAG_ON : FLAG_OFF]);
}

export async function setBalancerManagerAdminState(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  state: TAdminState,
): Promise<void> {
  const nonce = requireNonce(target, balancer);
  await postChange(target, buildBody(balancer, memberKey, nonce, adminStateChange(state)));
}

/**
 * httpd stores (int)(atof(w_lf) * 100) and silently ignores results outside 100..10000, so the range
 * is checked here. Only hundredths can be stored, so finer weights are refused rather than rounded
 * (a re-read would never show them).
 */
function toHundredths(weight: number): number {
  const hundredths = Math.round(weight * LOADFACTOR_SCALE);
  const inRange = Number.isFinite(weight) && weight >= LOADFACTOR_RANGE.min && weight <= LOADFACTOR_RANGE.max;
  if (!inRange || Math.abs(weight * LOADFACTOR_SCALE - hundredths) > 1e-6) {
    throw new AppError(
      "INVALID_INPUT",
      `weight ${weight} is not valid for balancer-manager: use ${LOADFACTOR_RANGE.min}-${LOADFACTOR_RANGE.max} with at most two decimals ` +
        "(httpd silently ignores anything else)",
      { weight, ...LOADFACTOR_RANGE },
    );
  }
  return hundredths;
}

/**
 * The w_lf text that httpd turns into exactly `hundredths`. httpd truncates atof(text) * 100.0, and in
 * binary floating point "2.3" * 100 is 229.999..., stored as 2.29 (seen on the lab's 2.4.71). JS does
 * the same IEEE-754 double arithmetic, so the plain text is checked here the way httpd will compute it;
 * when it would be truncated, half a hundredth is appended ("2.305" → 230.49... → 230).
 */
export function formatLoadfactor(hundredths: number): string {
  const plain = String(hundredths / LOADFACTOR_SCALE);
  if (Math.trunc(Number(plain) * LOADFACTOR_SCALE) === hundredths) return plain;
  const whole = Math.trunc(hundredths / LOADFACTOR_SCALE);
  const fraction = String(hundredths % LOADFACTOR_SCALE).padStart(2, "0");
  return `${whole}.${fraction}5`;
}

export async function setBalancerManagerWeight(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  weight: number,
): Promise<void> {
  const loadfactor = formatLoadfactor(toHundredths(weight));
  const nonce = requireNonce(target, balancer);
  await postChange(target, buildBody(balancer, memberKey, nonce, [[BM_PARAMS.loadfactor, loadfactor]]));
}

/**
 * The member settings balancer-manager changes (§6): w_wr, w_rr and w_ls. httpd copies w_wr/w_rr only when
 * shorter than its 64-byte field and otherwise CLEARS it, and ignores w_ls outside 0-99, so the limits are
 * checked before sending. An empty w_wr also clears the route: refused (a member without a route gets no
 * sticky session); an empty w_rr clears the redirect, which is a real operator action.
 */
export const BM_MEMBER_SETTINGS: TMemberSettingsCapability = {
  route: { maxLength: MAX_SETTING_TEXT, clearable: false },
  redirect: { maxLength: MAX_SETTING_TEXT, clearable: true },
  lbset: { ...LBSET_RANGE },
};

export const BM_SETTING_PARAMS: Readonly<Partial<Record<TMemberSettingName, string>>> = {
  route: "w_wr",
  redirect: "w_rr",
  lbset: "w_ls",
};

export async function setBalancerManagerMemberSetting(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  name: TMemberSettingName,
  value: string | number,
): Promise<void> {
  const param = BM_SETTING_PARAMS[name];
  const problem = param
    ? kindSettingProblem(BM_MEMBER_SETTINGS, "balancer-manager", name, value)
    : `balancer-manager has no ${name} setting`;
  if (problem || !param) {
    throw new AppError("INVALID_INPUT", `${problem} (httpd would ignore or mangle it silently)`, {
      setting: name,
      value,
    });
  }
  const nonce = requireNonce(target, balancer);
  await postChange(target, buildBody(balancer, memberKey, nonce, [[param, String(value)]]));
}

/**
 * Balancer-level settings (§6, "Balancer"), keyed by the XML field that shows them. lbmethod must name a
 * loaded provider (an unknown one is ignored: the read-back then reports it not applied); stickysession is
 * not offered: the XML shows only its cookie part, so "JSESSIONID|jsessionid" could never be read back.
 */
export const BM_BALANCER_SETTINGS = {
  lbmethod: {
    type: "enum",
    values: ["byrequests", "bybusyness", "bytraffic", "heartbeat"],
    meaning: "How httpd picks the member of a new request: by request count, fewest in flight, bytes, or heartbeats.",
  },
  nofailover: {
    type: "switch",
    shownOn: "On",
    shownOff: "Off",
    meaning: "On: a sticky request whose member is down fails instead of going to another member.",
  },
  timeout: {
    type: "int",
    min: 0,
    max: 7200,
    meaning: "Seconds httpd waits for a free member when every member is busy (0: it does not wait).",
  },
  maxattempts: {
    type: "int",
    min: 0,
    max: 99,
    meaning: "How many other members httpd tries after a failed attempt before it gives up.",
  },
} as const satisfies Record<string, TBalancerSettingSpec>;

const BM_BALANCER_PARAMS: Readonly<Record<keyof typeof BM_BALANCER_SETTINGS, string>> = {
  lbmethod: "b_lbm",
  nofailover: "b_sforce",
  timeout: "b_tmo",
  maxattempts: "b_max",
};

export async function setBalancerManagerBalancerSetting(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  name: string,
  value: string,
): Promise<void> {
  const spec = (BM_BALANCER_SETTINGS as Record<string, TBalancerSettingSpec>)[name];
  const problem = spec ? balancerSettingProblem(name, spec, value) : `balancer-manager has no balancer setting ${name}`;
  if (problem || !spec) throw new AppError("INVALID_INPUT", problem ?? name, { setting: name, value });
  const param = BM_BALANCER_PARAMS[name as keyof typeof BM_BALANCER_PARAMS];
  const sent = spec.type === "switch" ? (value === "on" ? "1" : "0") : value;
  await postChange(target, buildBody(balancer, null, requireNonce(target, balancer), [[param, sent]]));
}
