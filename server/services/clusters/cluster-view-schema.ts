import { z } from "zod";
import { ADMIN_STATES, HEALTHS } from "@/server/domain/member-state";
import { ZMemberSettingsCapability, ZObservedSettings } from "@/server/domain/member-settings";
import { ZBalancerSettingsCapability } from "@/server/domain/balancer-settings";

/**
 * Output schemas of the procedures that return what was read from frontends (docs/conventions.md §4):
 * whatever a parser let through, the wire carries only these shapes.
 */
const ZRollup = z.enum(["healthy", "degraded", "failing", "unknown", "empty"]);

export const ZMemberOnFrontend = z.object({
  frontendId: z.number().int(),
  key: z.string(),
  adminState: z.enum(ADMIN_STATES),
  health: z.enum(HEALTHS),
  busy: z.number(),
  elected: z.number(),
  errors: z.number().nullable(),
  loadfactor: z.number(),
  lbset: z.number(),
  requestsPerSec: z.number().nullable(),
  bytesPerSec: z.number().nullable(),
  errorsPerSec: z.number().nullable(),
  stale: z.boolean(),
  drifted: z.boolean(),
  /** httpd's hot spare (Spar): adminState is standby, and this names which kind of standby. */
  hotSpare: z.boolean().optional(),
  /** The member settings this frontend shows (route, redirect, lbset / domain, distance). */
  settings: ZObservedSettings.optional(),
});

const ZClusterHeader = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  autoReapply: z.boolean(),
});

export const ZFrontendRow = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  url: z.string(),
  balancer: z.string(),
  pollIntervalMs: z.number().int(),
  enabled: z.boolean(),
  up: z.boolean().nullable(),
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  lastPollAt: z.date().nullable(),
  lastGoodAt: z.date().nullable(),
  durationMs: z.number().nullable(),
  adminStates: z.array(z.enum(ADMIN_STATES)).readonly(),
  notes: z.partialRecord(z.enum(ADMIN_STATES), z.string()).default({}),
  /** Member settings the kind changes at run time, with its limits (empty: none). */
  memberSettings: ZMemberSettingsCapability.optional(),
  /** Why the kind has no member settings, in words the UI shows. */
  settingsNote: z.string().nullable().optional(),
  /** Balancer-level settings the kind changes at run time, with their rules (empty: none). */
  balancerSettings: ZBalancerSettingsCapability.optional(),
  /** What the balancer shows for those settings at the last good poll, as its status page writes them. */
  balancerValues: z.record(z.string(), z.string()).optional(),
});

export const ZMemberRow = z.object({
  key: z
    .string()
    .describe('Stable row identity: "id:<member id>", or "route:<route>" for a member not in the inventory'),
  memberId: z.number().int().nullable(),
  name: z.string(),
  route: z.string(),
  host: z.string().nullable(),
  intendedState: z.enum(ADMIN_STATES).nullable(),
  intendedWeight: z.number().nullable(),
  drift: z.boolean(),
  states: z.array(ZMemberOnFrontend.nullable()),
  disagreement: z.boolean(),
  health: ZRollup,
});

export const ZClusterView = z.object({
  cluster: ZClusterHeader,
  frontends: z.array(ZFrontendRow),
  members: z.array(ZMemberRow),
  health: ZRollup,
});

/**
 * What live.cluster pushes: a snapshot on connect (and when a browser fell behind), then deltas after
 * polls and inventory changes, and every 10 s the metrics that moved: per row key, per frontend (in
 * the order of the view's frontends) [requests/s, busy, errors/s], null where it does not list the member.
 *
 * Member rows travel as JSON text (`members`, checked against ZMemberRow before it is written, read with
 * decodeMemberRows): the superjson transformer walks every value of an answer looking for dates, which for
 * a 1,000-member snapshot cost more than building it; a string is one value.
 */
export const ZLiveFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("snapshot"),
    cluster: ZClusterHeader,
    frontends: z.array(ZFrontendRow),
    members: z.string().describe("JSON array of ZMemberRow"),
    health: ZRollup,
  }),
  z.object({
    type: z.literal("delta"),
    frontends: z.array(ZFrontendRow),
    polls: z.array(
      z.object({
        id: z.number().int(),
        lastPollAt: z.date().nullable(),
        lastGoodAt: z.date().nullable(),
        durationMs: z.number().nullable(),
      }),
    ),
    members: z.string().describe("JSON array of ZMemberRow: the rows that changed"),
    removed: z.array(z.string()),
    health: ZRollup,
    cluster: ZClusterHeader.nullable(),
  }),
  z.object({
    type: z.literal("metrics"),
    at: z.date(),
    rows: z.record(z.string(), z.array(z.tuple([z.number().nullable(), z.number(), z.number().nullable()]).nullable())),
  }),
]);

export type TMemberRowWire = z.infer<typeof ZMemberRow>;

/** Rows checked against their schema, then written as JSON text for a live frame. */
export function encodeMemberRows(rows: readonly unknown[]): string {
  return JSON.stringify(ZMemberRow.array().parse(rows));
}

/** The rows of a live frame (the server checked them against ZMemberRow before writing them). */
export function decodeMemberRows(json: string): TMemberRowWire[] {
  return JSON.parse(json) as TMemberRowWire[];
}
export const ZClusterSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  health: ZRollup,
  members: z.number().int(),
  healthyMembers: z.number().int(),
  frontends: z.number().int(),
  frontendsUp: z.number().int(),
  disagreements: z.number().int(),
  drifted: z.number().int(),
});

const ZPointValues = z.object({
  requestsPerSec: z.number(),
  busy: z.number(),
  errorsPerSec: z.number().nullable(),
  bytesPerSec: z.number(),
});
export const ZHistoryPick = z.union([
  z.object({
    top: z.enum(["requests", "errors"]).describe("the busiest members by requests or by errors over the range"),
    n: z.number().int().min(1).max(20),
  }),
  z.object({ members: z.array(z.string().min(1).max(200)).min(1).max(20).describe("member routes to draw") }),
]);

export const ZHistorySeries = z.object({
  range: z.enum(["15m", "1h", "24h"]),
  bucketMs: z.number().int(),
  routes: z.array(z.string()),
  pick: ZHistoryPick,
  points: z.array(z.object({ t: z.number(), values: z.record(z.string(), ZPointValues), total: ZPointValues })),
});
