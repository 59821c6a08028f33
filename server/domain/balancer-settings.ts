import { z } from "zod";

/**
 * Balancer-level settings (stretch of issue 13 item 6). They are the kind's own fields, named as its status
 * page names them (balancer-manager's <httpd:lbmethod>, jkstatus's method="…"), because the kinds share no
 * vocabulary here: httpd's stickysession is a cookie name, mod_jk's sticky_session a switch. Each spec says
 * what may be sent and what the page then shows, so the read-back compares the page's own text.
 */
export type TBalancerSettingSpec =
  | { type: "enum"; values: readonly string[]; shownAs?: Readonly<Record<string, string>> }
  | { type: "int"; min: number; max: number }
  | { type: "switch"; shownOn: string; shownOff: string };

export const ZBalancerSettingInput = z.object({
  cluster: z.string().min(1).max(64).describe("Cluster name"),
  frontend: z.string().min(1).max(64).describe("Frontend name (as in the inventory)"),
  name: z
    .string()
    .regex(/^[a-z_]{1,32}$/, "name a balancer setting as the frontend's status page does (e.g. lbmethod, recover_time)")
    .describe("The setting, as the frontend's status page names it"),
  value: z.string().max(64).describe('The value: a number, a method name, or "on"/"off" for a switch'),
});

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
