import { z } from "zod";
import { ADMIN_STATES } from "@/server/domain/member-state";
import { STATE_VERB_NAMES } from "@/server/domain/member-verbs";
import { ZMemberSettingChange, ZObservedSettings } from "@/server/domain/member-settings";

const ZFrontendActionResult = z.object({
  frontendId: z.number().int(),
  frontend: z.string(),
  kind: z.string(),
  outcome: z.enum(["done", "failed", "not-verified", "unsupported", "not-routed"]),
  message: z.string().nullable(),
  observed: z
    .object({
      adminState: z.enum(ADMIN_STATES),
      loadfactor: z.number(),
      settings: ZObservedSettings.optional().describe("The member settings this frontend shows (kinds that have them)"),
    })
    .nullable(),
  durationMs: z.number(),
});

/** Wire shape of a member action's result (REST and tRPC). */
export const ZMemberActionResult = z.object({
  cluster: z.string(),
  member: z.string(),
  action: z.string(),
  overall: z.enum(["done", "partial", "failed"]),
  frontends: z.array(ZFrontendActionResult),
  auditId: z.number().int(),
});

/** The most members one bulk request may name. */
export const MAX_BULK_MEMBERS = 5000;

export const ZBulkTarget = z.object({
  cluster: z.string().min(1).max(64).describe("Cluster name"),
  verb: z.enum(STATE_VERB_NAMES).describe("What to do to every member named"),
  members: z
    .array(z.string().min(1).max(64))
    .min(1, "name at least one member")
    .max(MAX_BULK_MEMBERS)
    .describe("Member names (as in the inventory)"),
});

export const ZBulkActionInput = ZBulkTarget.extend({
  force: z
    .boolean()
    .default(false)
    .describe("Allow leaving the cluster, or a frontend, with no active member (the guard rail)"),
  frontendIds: z
    .array(z.number().int().positive())
    .max(100)
    .optional()
    .describe("Only these frontends (retry of what did not take)"),
});

/** Wire shape of a bulk action's result: per member, per frontend. */
export const ZBulkActionResult = z.object({
  cluster: z.string(),
  action: z.string(),
  overall: z.enum(["done", "partial", "failed"]),
  members: z.array(
    z.object({
      member: z.string(),
      overall: z.enum(["done", "partial", "failed"]),
      frontends: z.array(ZFrontendActionResult),
    }),
  ),
  auditId: z.number().int(),
});

export const ZBulkImpact = z.object({
  verb: z.enum(STATE_VERB_NAMES),
  members: z.number().int(),
  requestShare: z.number().nullable(),
  frontends: z.array(
    z.object({
      frontend: z.string(),
      listed: z.number().int(),
      activeBefore: z.number().int(),
      activeAfter: z.number().int(),
      unsupported: z.string().nullable(),
      stale: z.boolean(),
    }),
  ),
  refusal: z.string().nullable(),
  effect: z.string(),
  summary: z.string(),
});

export const ZMemberTarget = z.object({
  cluster: z.string().min(1).max(64).describe("Cluster name"),
  member: z.string().min(1).max(64).describe("Member name"),
});

export const ZStateActionInput = ZMemberTarget.extend({
  force: z.boolean().default(false).describe("Allow leaving the cluster with no active member"),
  frontendIds: z
    .array(z.number().int().positive())
    .max(100)
    .optional()
    .describe("Only these frontends (retry of a partial result)"),
});

/** 1–100: the range both balancer-manager (loadfactor) and mod_jk (lbfactor) accept, whole numbers. */
export const ZWeightInput = ZMemberTarget.extend({
  weight: z.number().int("weight must be a whole number").min(1).max(100),
  frontendIds: z.array(z.number().int().positive()).max(100).optional(),
});

/** One member setting (route, redirect, lbset, domain, distance) on every frontend that has it. */
export const ZSettingInput = ZMemberTarget.extend({
  setting: ZMemberSettingChange,
  frontendIds: z
    .array(z.number().int().positive())
    .max(100)
    .optional()
    .describe("Only these frontends (retry of a partial result)"),
});

/** What an action would do, for confirm dialogs (member.impact). */
export const ZMemberImpact = z.object({
  member: z.string(),
  verb: z.enum(STATE_VERB_NAMES),
  /** Share of the cluster's requests this member took over the last 5 minutes (0–1), null without data. */
  requestShare: z.number().nullable(),
  activeBefore: z.number().int(),
  activeAfter: z.number().int(),
  total: z.number().int(),
  effect: z.string(),
  /** True when the action would leave no active member: it is refused unless forced. */
  leavesNoActive: z.boolean(),
  /** For stop/disable: whether its sessions survive (shared store or replica). */
  sessions: z.string().nullable(),
  summary: z.string(),
});
export type TImpact = z.infer<typeof ZMemberImpact>;
