/**
 * A webhook receiver on 127.0.0.1 that records every delivery the console makes (the signed JSON body of
 * README "Alerts") and whether it answered it. A test steps in per request: `before` runs before the
 * answer (to stop or kill the sender while its request is in flight), `after` once the 200 is written (to
 * kill the sender before it can journal the answer).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { NOTIFICATION_EVENTS, ZAlertPayload } from "@/server/services/notifications/payload";

const ZWebhookBody = z.object({
  version: z.literal(1),
  event: z.enum(NOTIFICATION_EVENTS),
  deliveryId: z.number().int(),
  alert: ZAlertPayload,
});

export interface TReceived {
  deliveryId: number;
  event: z.infer<typeof ZWebhookBody>["event"];
  fingerprint: string;
  labels: Record<string, string>;
  startsAt: string;
  /** The x-clusterdeck-delivery header (the id a receiver deduplicates by). */
  deliveryHeader: string | null;
  at: number;
  /** A 200 was written while the sender's connection was open. */
  answered: boolean;
}

export interface TReceiverStep {
  before?: () => Promise<void>;
  /** After `before`, wait (up to 5 s) for the sender to hang up: `before` killed it. */
  awaitHangUp?: boolean;
  after?: () => Promise<void>;
}

export interface TAlertReceiver {
  url: string;
  received: TReceived[];
  /** Firing deliveries of one alert (by fingerprint) that were answered 200. */
  answeredFiring: (fingerprint: string) => TReceived[];
  close: () => Promise<void>;
}

/** `plan` is asked once per request, with the delivery and how many of its fingerprint came before. */
export async function startAlertReceiver(
  plan: (d: TReceived, earlier: number) => TReceiverStep | undefined,
): Promise<TAlertReceiver> {
  const received: TReceived[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = ZWebhookBody.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        const header = req.headers["x-clusterdeck-delivery"];
        const d: TReceived = {
          deliveryId: body.deliveryId,
          event: body.event,
          fingerprint: body.alert.fingerprint,
          labels: body.alert.labels,
          startsAt: body.alert.startsAt,
          deliveryHeader: typeof header === "string" ? header : null,
          at: Date.now(),
          answered: false,
        };
        const earlier = received.filter((r) => r.fingerprint === d.fingerprint && r.event === d.event).length;
        received.push(d);
        const step = plan(d, earlier);
        await step?.before?.();
        if (step?.awaitHangUp && !req.socket.destroyed)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 5_000);
            req.socket.once("close", () => {
              clearTimeout(timer);
              resolve();
            });
          });
        // A sender killed meanwhile closed the connection: nothing can be answered any more.
        if (req.socket.destroyed || res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        await new Promise<void>((resolve) => res.end('{"ok":true}', resolve));
        d.answered = true;
        await step?.after?.();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answeredFiring: (fp) => received.filter((r) => r.fingerprint === fp && r.event === "firing" && r.answered),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
