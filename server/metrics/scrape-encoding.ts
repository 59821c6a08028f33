import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);

/**
 * For the metrics listener (CLUSTERDECK_METRICS_ADDR), a plain node:http server. Level 1: a 4 × 1,000-member
 * scrape (about 6 MB of text) compresses to about 230 KB in about 10 ms, off the event loop (zlib's
 * thread pool); the default level saves 40 KB more for three times the time. (The /metrics route of the
 * Next.js server cannot do this: Next.js drops a route's Content-Encoding and compresses by itself.)
 */
const LEVEL = 1;

/** Whether an Accept-Encoding header accepts gzip (Prometheus sends `gzip`; `gzip;q=0` refuses it). */
export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "x-gzip") return false;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  });
}

/** The scrape's body as sent: gzip-compressed when the scraper accepts it, else the text as is. */
export async function encodeScrape(
  text: string,
  acceptEncoding: string | null | undefined,
): Promise<{ body: Uint8Array<ArrayBuffer> | string; headers: Record<string, string> }> {
  if (!acceptsGzip(acceptEncoding)) return { body: text, headers: {} };
  return {
    // A copy of 200-odd KB typed as a plain Uint8Array, which both Response and node:http take.
    body: new Uint8Array(await gzipAsync(text, { level: LEVEL })),
    headers: { "content-encoding": "gzip", vary: "accept-encoding" },
  };
}
