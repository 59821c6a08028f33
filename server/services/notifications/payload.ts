import { z } from "zod";

/**
 * What a receiver is told about one alert event: the alert as it was when the event was queued. Webhooks
 * receive it as is (inside ZWebhookBody); Alertmanager receives its labels, annotations and times.
 * Labels are bounded names (never a session id), so the payload holds no secret for any receiver.
 */
export const ZAlertPayload = z.object({
  fingerprint: z.string(),
  status: z.enum(["firing", "resolved"]),
  labels: z.record(z.string(), z.string()),
  annotations: z.object({ summary: z.string(), description: z.string() }),
  activeSince: z.string().describe("ISO time the condition was first seen"),
  startsAt: z.string().describe("ISO time the alert fired"),
  endsAt: z.string().nullable().describe("ISO time it resolved; null while firing"),
  generatorURL: z.string().nullable().describe("The console page that shows it, when CLUSTERDECK_PUBLIC_URL is set"),
});
export type TAlertPayload = z.infer<typeof ZAlertPayload>;

export const NOTIFICATION_EVENTS = ["firing", "resolved", "test"] as const;
export type TNotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** The JSON body a webhook receives (documented in README "Alerts"). */
export interface TWebhookBody {
  version: 1;
  event: TNotificationEvent;
  deliveryId: number;
  alert: TAlertPayload;
}
