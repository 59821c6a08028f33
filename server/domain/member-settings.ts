import { z } from "zod";

/**
 * Member settings other than admin state and weight, shared by the server, the CLI and the UI: the
 * balancer's session route, its failover redirect, and its preference tier (httpd lbset; mod_jk domain
 * and distance). Each frontend kind declares which of them it can change and within which limits
 * (capabilities.memberSettings); the limits below are the widest any kind accepts, checked before a
 * request is built, and each adapter checks its own narrower limit before sending.
 */
export const MEMBER_SETTING_NAMES = ["route", "redirect", "lbset", "domain", "distance"] as const;
export type TMemberSettingName = (typeof MEMBER_SETTING_NAMES)[number];

export const TEXT_SETTINGS = ["route", "redirect", "domain"] as const satisfies readonly TMemberSettingName[];
export const NUMBER_SETTINGS = ["lbset", "distance"] as const satisfies readonly TMemberSettingName[];
export type TTextSettingName = (typeof TEXT_SETTINGS)[number];
export type TNumberSettingName = (typeof NUMBER_SETTINGS)[number];

export function isTextSetting(name: TMemberSettingName): name is TTextSettingName {
  return (TEXT_SETTINGS as readonly string[]).includes(name);
}

/** What a kind accepts for one text setting: its longest value, and whether an empty one (clear) is allowed. */
export interface TTextSettingLimit {
  maxLength: number;
  clearable: boolean;
}
export interface TNumberSettingLimit {
  min: number;
  max: number;
}

/** Per kind: the settings it can change at run time and their limits (absent = cannot). */
export type TMemberSettingsCapability = Partial<Record<TTextSettingName, TTextSettingLimit>> &
  Partial<Record<TNumberSettingName, TNumberSettingLimit>>;

/** The values one frontend shows for a member (only the settings that kind has). */
export type TObservedSettings = Partial<Record<TTextSettingName, string>> & Partial<Record<TNumberSettingName, number>>;

/**
 * Route, redirect and domain end up in session ids (".tomcat2") and in jkstatus's query string:
 * - no space: mod_jk 1.2.48 drops it ("a b" became "ab" on the lab), httpd keeps it, so one route
 *   would read back differently on the two kinds;
 * - no dot: both balancers take the route from the text after the session id's first dot;
 * - no "%": balancer-manager URL-decodes twice; none of `< > ? "`: jkstatus replaces them with "@".
 */
export const SETTING_TOKEN = /^[A-Za-z0-9_-]*$/;
/** httpd keeps up to 63 characters (a 64-character w_wr CLEARS the route, seen on 2.4.71); mod_jk 60. */
export const MAX_SETTING_TEXT = 63;
/** mod_jk reads distance with atoi and keeps any value >= 0 (16 and 100 were kept on 1.2.48). */
export const MAX_DISTANCE = 2_147_483_647;
/** httpd ignores w_ls outside 0-99 (seen on 2.4.71; mod_proxy_balancer.c checks the same range). */
export const LBSET_RANGE = { min: 0, max: 99 } as const;

export const SETTING_LABELS: Readonly<Record<TMemberSettingName, string>> = {
  route: "Route",
  redirect: "Redirect",
  lbset: "Load balancer set (lbset)",
  domain: "Domain",
  distance: "Distance",
};

/** What each setting does, in the dialog beside its field. */
export const SETTING_MEANINGS: Readonly<Record<TMemberSettingName, string>> = {
  route:
    "The jvmRoute that ends this member's session ids. It must equal the Tomcat's jvmRoute, or its users lose stickiness; ClusterDeck then matches the member by address.",
  redirect: "The route to send this member's sticky requests to when it cannot take them. Empty clears it.",
  lbset: "httpd uses the lowest lbset that has a usable member; higher sets are fallbacks.",
  domain: "mod_jk treats members with the same domain as one for failover of sticky sessions. Empty clears it.",
  distance:
    "mod_jk always prefers the lowest distance; higher distances are used only when all lower ones are unusable.",
};

const ZSettingValue = z.union([z.string(), z.number()]);

/**
 * One setting change. Flat (name + value) rather than a union of objects, so the REST body and the CLI stay
 * simple; the refinement checks the value against the name and names the setting in every message.
 */
export const ZMemberSettingChange = z
  .object({
    name: z.enum(MEMBER_SETTING_NAMES).describe("Which member setting"),
    value: ZSettingValue.describe("route/redirect/domain: text; lbset/distance: a whole number"),
  })
  .superRefine((change, ctx) => {
    const problem = settingValueProblem(change.name, change.value);
    if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
  });
export type TMemberSettingChange = z.infer<typeof ZMemberSettingChange>;

/** Why a value cannot be the setting's value on any kind, or null. */
export function settingValueProblem(name: TMemberSettingName, value: string | number): string | null {
  if (isTextSetting(name)) {
    if (typeof value !== "string") return `${name} must be text`;
    if (value.length > MAX_SETTING_TEXT) return `${name} is longer than ${MAX_SETTING_TEXT} characters`;
    if (!SETTING_TOKEN.test(value)) return `${name} may hold only letters, digits, "-" and "_" (no space or dot)`;
    if (value === "" && name === "route")
      return "route cannot be empty: a member without a route gets no sticky sessions";
    return null;
  }
  const max = name === "lbset" ? LBSET_RANGE.max : MAX_DISTANCE;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max)
    return `${name} must be a whole number from 0 to ${max}`;
  return null;
}

/**
 * Why one kind cannot take this value (its own, narrower limit), or null. Adapters call it before sending:
 * both servers answer 200 to values they ignore, and httpd even clears a route that is too long.
 */
export function kindSettingProblem(
  capability: TMemberSettingsCapability | undefined,
  kindLabel: string,
  name: TMemberSettingName,
  value: string | number,
): string | null {
  const general = settingValueProblem(name, value);
  if (general) return general;
  if (isTextSetting(name)) {
    const limit = capability?.[name];
    if (!limit) return `${kindLabel} has no ${name} setting`;
    const text = String(value);
    if (text.length > limit.maxLength) return `${kindLabel} keeps a ${name} of at most ${limit.maxLength} characters`;
    if (text === "" && !limit.clearable) return `${kindLabel} cannot clear ${name}`;
    return null;
  }
  const limit = capability?.[name];
  if (!limit) return `${kindLabel} has no ${name} setting`;
  const n = Number(value);
  if (n < limit.min || n > limit.max) return `${kindLabel} takes ${name} from ${limit.min} to ${limit.max}`;
  return null;
}

/** Whether the observed value shows the change (text compared exactly, numbers numerically). */
export function settingShows(observed: TObservedSettings | undefined, change: TMemberSettingChange): boolean {
  const seen = observed?.[change.name];
  if (seen === undefined) return false;
  return isTextSetting(change.name) ? seen === change.value : Number(seen) === Number(change.value);
}

export function describeSetting(change: TMemberSettingChange): string {
  return `${change.name} ${change.value === "" ? "(cleared)" : String(change.value)}`;
}

/** Wire shape of TObservedSettings (cluster view, action results). */
export const ZObservedSettings = z.object({
  route: z.string().optional(),
  redirect: z.string().optional(),
  lbset: z.number().int().optional(),
  domain: z.string().optional(),
  distance: z.number().int().optional(),
});

/** Wire shape of TMemberSettingsCapability (the cluster view's frontends). */
const ZTextLimit = z.object({ maxLength: z.number().int(), clearable: z.boolean() });
const ZNumberLimit = z.object({ min: z.number().int(), max: z.number().int() });
export const ZMemberSettingsCapability = z.object({
  route: ZTextLimit.optional(),
  redirect: ZTextLimit.optional(),
  lbset: ZNumberLimit.optional(),
  domain: ZTextLimit.optional(),
  distance: ZNumberLimit.optional(),
});
