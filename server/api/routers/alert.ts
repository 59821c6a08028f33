import type { OpenApiMeta } from "trpc-to-openapi";
import { z } from "zod";
import { adminProcedure, createRouter, forCaller, operatorProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { ALERT_RULE_IDS } from "@/server/domain/alert-rules";
import {
  ZAlert,
  ZAlertList,
  ZAlertListInput,
  ZCreateSilenceInput,
  ZDelivery,
  ZDeliveryList,
  ZDeliveryListInput,
  ZReceiver,
  ZReceiverInput,
  ZReceiverUpdate,
  ZRuleView,
  ZSetRuleInput,
  ZSilence,
} from "@/server/services/alerts/schema";
import {
  acknowledgeAlert,
  createSilence,
  expireSilence,
  listAlerts,
  listRules,
  listSilences,
  setRule,
} from "@/server/services/alerts/service";
import {
  createReceiver,
  deleteReceiver,
  listDeliveries,
  listReceivers,
  retryDelivery,
  sendTestNotification,
  updateReceiver,
} from "@/server/services/notifications/receivers";

type TMethod = NonNullable<OpenApiMeta["openapi"]>["method"];
const meta = (method: TMethod, path: `/${string}`, summary: string): OpenApiMeta => ({
  openapi: { method, path, protect: true, tags: ["alerts"], summary },
});
const ZId = z.object({ id: z.number().int().positive() });
const ZCluster = z.string().trim().min(1).max(64);

/**
 * Alerts the console raises, their rules per cluster, silences, and where notifications go. Viewers
 * read; operators acknowledge, silence, tune rules, send a test and retry a dead letter (audited);
 * receivers (an address the console sends data to, with a signing secret) are the admin's.
 */
export const alertRouter = createRouter({
  list: viewerProcedure
    .meta(meta("GET", "/alerts", "Current alerts (pending and firing, critical first) or the resolved history"))
    .input(ZAlertListInput)
    .output(ZAlertList)
    .query(({ ctx, input }) => listAlerts(ctx.db, input)),
  acknowledge: operatorProcedure
    .meta(meta("POST", "/alerts/{id}/acknowledge", "Mark a firing alert as being looked at (audited)"))
    .input(ZId)
    .output(ZAlert)
    .mutation(({ ctx, input }) => acknowledgeAlert(ctx.db, input.id, whoOf(ctx))),
  rules: viewerProcedure
    .meta(meta("GET", "/clusters/{cluster}/alert-rules", "The cluster's alert rules with their delays and thresholds"))
    .input(z.object({ cluster: ZCluster }))
    .output(z.array(ZRuleView))
    .query(({ ctx, input }) => listRules(ctx.db, input.cluster)),
  setRule: operatorProcedure
    .meta(
      meta(
        "POST",
        "/clusters/{cluster}/alert-rules/{rule}",
        "Turn a rule on or off, set its delay and threshold (audited)",
      ),
    )
    .input(ZSetRuleInput.extend({ rule: z.enum(ALERT_RULE_IDS) }))
    .output(z.array(ZRuleView))
    .mutation(({ ctx, input }) => setRule(ctx.db, input, whoOf(ctx))),
  silences: viewerProcedure
    .meta(meta("GET", "/silences", "Silences (active ones unless includeEnded)"))
    .input(z.object({ cluster: ZCluster.optional(), includeEnded: z.boolean().default(false) }))
    .output(z.array(ZSilence))
    .query(({ ctx, input }) => listSilences(ctx.db, input)),
  silence: operatorProcedure
    .meta(
      meta(
        "POST",
        "/clusters/{cluster}/silences",
        "Silence alerts matching labels until a time, with a reason (audited)",
      ),
    )
    .input(ZCreateSilenceInput)
    .output(ZSilence)
    .mutation(({ ctx, input }) => createSilence(ctx.db, input, whoOf(ctx))),
  expireSilence: operatorProcedure
    .meta(meta("POST", "/silences/{id}/expire", "Lift a silence now (audited)"))
    .input(ZId)
    .output(ZSilence)
    .mutation(({ ctx, input }) => expireSilence(ctx.db, input.id, whoOf(ctx))),
  receivers: viewerProcedure
    .meta(meta("GET", "/receivers", "Where notifications go, with delivery counts (URL for admins only)"))
    .input(z.object({}).optional())
    .output(z.array(ZReceiver))
    .query(async ({ ctx }) => forCaller(ctx, await listReceivers(ctx.db, ctx.principal))),
  createReceiver: adminProcedure
    .meta(meta("POST", "/receivers", "Add an Alertmanager or a webhook receiver (admin; audited, secret write-only)"))
    .input(ZReceiverInput)
    .output(ZReceiver)
    .mutation(({ ctx, input }) => createReceiver(ctx.db, input, whoOf(ctx))),
  updateReceiver: adminProcedure
    .meta(meta("PATCH", "/receivers/{id}", "Change a receiver (admin; a new URL drops the secret unless one is given)"))
    .input(ZReceiverUpdate)
    .output(ZReceiver)
    .mutation(({ ctx, input }) => updateReceiver(ctx.db, input, whoOf(ctx))),
  deleteReceiver: adminProcedure
    .meta(meta("DELETE", "/receivers/{id}", "Remove a receiver and its queued deliveries (admin; audited)"))
    .input(ZId)
    .output(ZId)
    .mutation(({ ctx, input }) => deleteReceiver(ctx.db, input.id, whoOf(ctx))),
  testReceiver: operatorProcedure
    .meta(meta("POST", "/receivers/{id}/test", "Send a test notification to one receiver (audited)"))
    .input(ZId)
    .output(ZDelivery)
    .mutation(({ ctx, input }) => sendTestNotification(ctx.db, input.id, whoOf(ctx))),
  deliveries: viewerProcedure
    .meta(meta("GET", "/deliveries", "The notification outbox: sent, waiting for a retry, and dead letters"))
    .input(ZDeliveryListInput)
    .output(ZDeliveryList)
    .query(({ ctx, input }) => listDeliveries(ctx.db, input)),
  retryDelivery: operatorProcedure
    .meta(meta("POST", "/deliveries/{id}/retry", "Queue a dead delivery again (audited)"))
    .input(ZId)
    .output(ZDelivery)
    .mutation(({ ctx, input }) => retryDelivery(ctx.db, input.id, whoOf(ctx))),
});
