import { z } from "zod";

/**
 * Balancer-level settings (stretch of issue 13 item 6). They are the kind's own fields, named as its status
 * page names them (balancer-manager's <httpd:lbmethod>, jkstatus's method="…"), because the kinds share no
 * vocabulary here: httpd's stickysession is a cookie name, mod_jk's sticky_session a switch. Each spec says
 * what may be sent and what the page then shows, so the read-back compares the page's own text.
 */
export type TBalancerSettingSpec = (
  | { type: "enum"; values: readonly string[]; shownAs?: Readonly<Record<string, string>> }
  | { type: "int"; min: number; max: number }
  | { type: "switch"; shownOn: string; shownOff: string }
) & {
  /** What the setting does to traffic, in words the dialog and the CLI's help show. */
  meaning?: string;
};

/** A spec on the wire (the cluster view's capabilities), so the UI validates with the server's own rules. */
export const ZBalancerSettingSpec = z.intersection(
  z.discriminatedUnion("type", [
    z.object({
      type: z.literal("enum"),
      values: z.array(z.string()).readonly(),
      shownAs: z.record(z.string(), z.string()).optional(),
    }),
    z.object({ type: z.literal("int"), min: z.number().int(), max: z.number().int() }),
    z.object({ type: z.literal("switch"), shownOn: z.string(), shownOff: z.string() }),
  ]),
  z.object({ meaning: z.string().optional() }),
);

/** The balancer settings a kind changes at run time, keyed by the field its status page shows (empty: none). */
export const ZBalancerSettingsCapability = z.record(z.string(), ZBalancerSettingSpec);

export const ZBalancerSettingInput = z.object({
  cluster: z.string().min(1).max(64).describe("Cluster name"),
  frontend: z.string().min(1).max(64).describe("Frontend name (as in the inventory)"),
  name: z
    .string()
    .regex(/^[a-z_]{1,32}$/, "name a balancer setting as the frontend's status page does (e.g. lbmethod, recover_time)")
    .describe("The setting, as the frontend's status page names it"),
  value: z.string().max(64).describe('The value: a number, a method name, or "on"/"off" for a switch'),
});

/** One setting's answer (frontend.setBalancerSetting, REST POST …/balancer-settings). */
export const ZBalancerSettingResult = z.object({
  cluster: z.string(),
  frontend: z.string(),
  name: z.string(),
  /** done: the status page shows it; not-verified: it answered but still shows `shown`; failed: refused. */
  outcome: z.enum(["done", "not-verified", "failed"]),
  before: z.string().nullable(),
  shown: z.string().nullable(),
  message: z.string().nullable(),
  auditId: z.number().int(),
});
export type TBalancerSettingResult = z.infer<typeof ZBalancerSettingResult>;

/** Why `value` is not valid for the spec (the message names the setting), or null. */
export function balancerSettingProblem(name: string, spec: TBalancerSettingSpec, value: string): string | null {
  if (spec.type === "enum")
    return spec.values.includes(value) ? null : `${name} must be one of ${spec.values.join(", ")}`;
  if (spec.type === "switch") return value === "on" || value === "off" ? null : `${name} must be "on" or "off"`;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= spec.min && n <= spec.max
    ? null
    : `${name} must be a whole number from ${spec.min} to ${spec.max}`;
}

/** The text the status page shows once `value` is applied. */
export function shownBalancerValue(spec: TBalancerSettingSpec, value: string): string {
  if (spec.type === "switch") return value === "on" ? spec.shownOn : spec.shownOff;
  if (spec.type === "enum") return spec.shownAs?.[value] ?? value;
  return String(Number(value));
}

/**
 * The value to pre-fill a form with from what the status page shows: the inverse of shownBalancerValue
 * ("On" → "on", a shownAs text → its value); a text the spec does not know is kept as shown, so the
 * form says what is wrong with it rather than hiding it.
 */
export function inputFromShown(spec: TBalancerSettingSpec, shown: string): string {
  if (spec.type === "switch") return shown === spec.shownOn ? "on" : shown === spec.shownOff ? "off" : shown;
  if (spec.type === "enum") {
    const entry = Object.entries(spec.shownAs ?? {}).find(([, text]) => text === shown);
    return entry ? entry[0] : shown;
  }
  return shown;
}
