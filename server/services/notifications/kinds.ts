import type { TAlertPayload, TNotificationEvent } from "@/server/services/notifications/payload";
import {
  sendToAlertmanager,
  sendToWebhook,
  type TReceiverTarget,
  type TSendOutcome,
} from "@/server/services/notifications/send";

/** One queued notification as a kind sends it. */
export interface TQueuedDelivery {
  id: number;
  event: TNotificationEvent;
  alert: TAlertPayload;
}

/** What a receiver kind is and does: the only switch on a receiver's kind. */
export interface TReceiverKind {
  label: string;
  /** Whether firing alerts must be sent again while they last (Alertmanager forgets them after resolve_timeout). */
  resendsFiring: boolean;
  /** Whether a secret means anything for it (the HMAC key of webhooks). */
  usesSecret: boolean;
  send(r: TReceiverTarget, d: TQueuedDelivery): Promise<TSendOutcome>;
  /** Re-sends the firing alerts (only for kinds with resendsFiring). */
  resend?(r: TReceiverTarget, alerts: readonly TAlertPayload[]): Promise<TSendOutcome>;
}

export const RECEIVER_KINDS = {
  alertmanager: {
    label: "Alertmanager (API v2)",
    resendsFiring: true,
    usesSecret: false,
    // A test event is a real alert to Alertmanager (it has no other kind of message): it resolves at once.
    send: (r, d) => sendToAlertmanager(r, [d.alert]),
    resend: (r, alerts) => sendToAlertmanager(r, alerts),
  },
  webhook: {
    label: "Webhook (signed JSON)",
    resendsFiring: false,
    usesSecret: true,
    send: (r, d) => sendToWebhook(r, { version: 1, event: d.event, deliveryId: d.id, alert: d.alert }),
  },
} satisfies Record<string, TReceiverKind>;

export type TReceiverKindId = keyof typeof RECEIVER_KINDS;
export const RECEIVER_KIND_IDS = Object.keys(RECEIVER_KINDS) as [TReceiverKindId, ...TReceiverKindId[]];

export function receiverKind(kind: string): TReceiverKind | undefined {
  return (RECEIVER_KINDS as Record<string, TReceiverKind>)[kind];
}
