import type { TAlertPayload, TWebhookBody } from "@/server/services/notifications/payload";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from "@/server/services/notifications/sign";

/** How one POST went. `error` never quotes the receiver's URL: viewers read it in the delivery list. */
export interface TSendOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
}

export interface TReceiverTarget {
  id: number;
  kind: string;
  url: string;
  secret: string | null;
  timeoutMs: number;
  resendSeconds: number;
}

function causeText(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const code = e.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused (ECONNREFUSED)";
  if (code === "ECONNRESET") return "connection reset (ECONNRESET)";
  if (code === "ENOTFOUND") return "host name not found (ENOTFOUND)";
  return code ? `request failed (${code})` : "request failed";
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<TSendOutcome> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "ClusterDeck", ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual", // a redirect is an answer to report, not a place to send alert data unasked
    });
    const text = (await res.text().catch(() => "")).slice(0, 200).replace(/\s+/g, " ").trim();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    return { ok: false, status: res.status, error: `HTTP ${res.status}${text ? `: ${text}` : ""}` };
  } catch (err) {
    return { ok: false, status: null, error: causeText(err, timeoutMs) };
  }
}

/** The Alertmanager v2 form of an alert. While firing, endsAt lies 4 re-send periods ahead (as Prometheus does). */
export function alertmanagerAlert(a: TAlertPayload, resendSeconds: number, now: number) {
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.status === "resolved" && a.endsAt ? a.endsAt : new Date(now + 4 * resendSeconds * 1000).toISOString(),
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
  };
}

/** POST /api/v2/alerts with one or more alerts (the Alertmanager base URL as configured, without /api/v2). */
export function sendToAlertmanager(r: TReceiverTarget, alerts: readonly TAlertPayload[], now = Date.now()) {
  const url = `${r.url.replace(/\/+$/, "")}/api/v2/alerts`;
  const body = JSON.stringify(alerts.map((a) => alertmanagerAlert(a, r.resendSeconds, now)));
  return post(url, body, {}, r.timeoutMs);
}

/** One signed JSON body to a webhook (unsigned when the receiver has no secret). */
export function sendToWebhook(r: TReceiverTarget, body: TWebhookBody, now = Date.now()) {
  const text = JSON.stringify(body);
  const ts = Math.floor(now / 1000);
  const headers: Record<string, string> = {
    "x-clusterdeck-event": body.event,
    "x-clusterdeck-delivery": String(body.deliveryId),
    [TIMESTAMP_HEADER]: String(ts),
  };
  if (r.secret) headers[SIGNATURE_HEADER] = signBody(r.secret, ts, text);
  return post(r.url, text, headers, r.timeoutMs);
}
