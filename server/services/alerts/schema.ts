import { z } from "zod";
import { ALERT_RULE_IDS, MAX_FOR_SECONDS } from "@/server/domain/alert-rules";
import { RECEIVER_KIND_IDS } from "@/server/services/notifications/kinds";
import { NOTIFICATION_EVENTS } from "@/server/services/notifications/payload";

const ZName = z.string().trim().min(1).max(64);
const ZLabels = z.record(z.string(), z.string());

export const ZAlertState = z.enum(["pending", "firing", "resolved"]);

export const ZAlert = z.object({
  /** Database id; null for a pending alert (not written until it fires). */
  id: z.number().int().nullable(),
  fingerprint: z.string(),
  rule: z.enum(ALERT_RULE_IDS),
  alertname: z.string(),
  title: z.string(),
  severity: z.enum(["critical", "warning"]),
  cluster: z.string(),
  labels: ZLabels,
  summary: z.string(),
  description: z.string().describe("What the condition means and what to do"),
  state: ZAlertState,
  activeSince: z.date(),
  startsAt: z.date().nullable(),
  endsAt: z.date().nullable(),
  /** Pending only: when it fires if the condition still holds then. */
  firesAt: z.date().nullable(),
  acknowledgedAt: z.date().nullable(),
  acknowledgedBy: z.string().nullable(),
  /** The silence that keeps it from being sent now, if any. */
  silence: z.object({ id: z.number().int(), endsAt: z.date() }).nullable(),
  notified: z.boolean(),
});
export type TAlertView = z.infer<typeof ZAlert>;

export const ZAlertListInput = z.object({
  cluster: ZName.optional(),
  /** current = pending and firing; resolved = history, newest first. */
  state: z.enum(["current", "resolved"]).default("current"),
  limit: z.number().int().min(1).max(200).default(50),
  /** Resolved only: the next page starts below this id. */
  beforeId: z.number().int().positive().optional(),
});
export const ZAlertList = z.object({ alerts: z.array(ZAlert), nextBeforeId: z.number().int().nullable() });

export const ZRuleView = z.object({
  rule: z.enum(ALERT_RULE_IDS),
  alertname: z.string(),
  title: z.string(),
  severity: z.enum(["critical", "warning"]),
  about: z.string(),
  enabled: z.boolean(),
  forSeconds: z.number().int(),
  threshold: z.number().nullable(),
  thresholdDef: z
    .object({ label: z.string(), unit: z.string(), min: z.number(), max: z.number(), integer: z.boolean() })
    .nullable(),
  defaults: z.object({ enabled: z.boolean(), forSeconds: z.number().int(), threshold: z.number().nullable() }),
  /** The cluster has its own setting for this rule. */
  overridden: z.boolean(),
  updatedBy: z.string().nullable(),
});

export const ZSetRuleInput = z.object({
  cluster: ZName,
  rule: z.enum(ALERT_RULE_IDS),
  enabled: z.boolean(),
  forSeconds: z.number().int().min(0).max(MAX_FOR_SECONDS),
  threshold: z.number().finite().nullable(),
});

export const ZSilence = z.object({
  id: z.number().int(),
  cluster: z.string(),
  matchers: ZLabels,
  reason: z.string(),
  createdBy: z.string(),
  createdAt: z.date(),
  endsAt: z.date(),
  expiredAt: z.date().nullable(),
  expiredBy: z.string().nullable(),
  active: z.boolean(),
});

/** Longest silence: 30 days (a longer one is a rule to turn off, not a silence). */
export const MAX_SILENCE_MS = 30 * 86_400_000;

export const ZCreateSilenceInput = z.object({
  cluster: ZName,
  /** Labels an alert must all have (the alert's own labels silence exactly it); cluster is implied. */
  matchers: z
    .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, "a label name"), z.string().min(1).max(200))
    .refine((m) => Object.keys(m).length <= 16, "at most 16 matchers"),
  endsAt: z.coerce.date(),
  reason: z.string().trim().min(3, "Say why (at least 3 characters)").max(500),
});

const ZUrl = z
  .string()
  .trim()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "an http:// or https:// URL");

export const ZReceiver = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: z.enum(RECEIVER_KIND_IDS),
  kindLabel: z.string(),
  /** Admins only (it may carry a token); null for others. */
  url: z.string().nullable(),
  hasSecret: z.boolean(),
  enabled: z.boolean(),
  timeoutMs: z.number().int(),
  maxAttempts: z.number().int(),
  resendSeconds: z.number().int(),
  pending: z.number().int(),
  dead: z.number().int(),
  lastDelivered: z.date().nullable(),
  lastError: z.string().nullable(),
  lastResend: z
    .object({ at: z.date(), ok: z.boolean(), error: z.string().nullable(), alerts: z.number().int() })
    .nullable(),
});

export const ZReceiverInput = z.object({
  name: ZName,
  kind: z.enum(RECEIVER_KIND_IDS),
  url: ZUrl,
  /** Webhooks: the HMAC-SHA256 key; write-only (answers say hasSecret). */
  secret: z.string().min(16, "at least 16 characters").max(256).nullish(),
  enabled: z.boolean().default(true),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  maxAttempts: z.number().int().min(1).max(50).default(8),
  resendSeconds: z.number().int().min(10).max(3_600).default(60),
});

export const ZReceiverUpdate = ZReceiverInput.partial().extend({
  id: z.number().int().positive(),
  /** undefined keeps the stored secret; null removes it. A new URL without a new secret removes it too. */
  secret: z.string().min(16).max(256).nullish(),
});

export const ZDelivery = z.object({
  id: z.number().int(),
  receiverId: z.number().int(),
  receiver: z.string(),
  event: z.enum(NOTIFICATION_EVENTS),
  fingerprint: z.string(),
  alertId: z.number().int().nullable(),
  alertname: z.string(),
  summary: z.string(),
  state: z.enum(["pending", "sending", "delivered", "dead"]),
  attempts: z.number().int(),
  nextAttemptAt: z.date(),
  lastError: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  createdAt: z.date(),
  deliveredAt: z.date().nullable(),
});

export const ZDeliveryListInput = z.object({
  state: z.enum(["pending", "dead", "delivered", "all"]).default("all"),
  receiverId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  beforeId: z.number().int().positive().optional(),
});
export const ZDeliveryList = z.object({ deliveries: z.array(ZDelivery), nextBeforeId: z.number().int().nullable() });
