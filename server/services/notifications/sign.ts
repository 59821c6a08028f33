import crypto from "node:crypto";

export const SIGNATURE_HEADER = "x-clusterdeck-signature";
export const TIMESTAMP_HEADER = "x-clusterdeck-timestamp";

/**
 * HMAC-SHA256 over "<timestamp>.<body>" with the receiver's secret, as `sha256=<hex>`. The timestamp is
 * signed too, so a receiver can refuse an old body replayed (as Stripe's and GitHub's webhooks do).
 */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does to check a body (and what the tests do): constant-time comparison. */
export function verifySignature(secret: string, timestamp: number, body: string, header: string): boolean {
  const want = Buffer.from(signBody(secret, timestamp, body));
  const got = Buffer.from(header);
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}
