import { getDb } from "@/server/db";
import { authenticate } from "@/server/auth/authenticate";
import { getConsoleMetrics } from "@/server/metrics/metrics-service";
import { logger } from "@/server/logger";

export const dynamic = "force-dynamic";

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

/**
 * Prometheus scrape endpoint. Any signed-in role may read it (viewers see the dashboard these numbers
 * come from); Prometheus sends an API token as `authorization: { type: Bearer, credentials: … }`.
 */
export async function GET(req: Request): Promise<Response> {
  const principal = await authenticate(getDb(), req.headers);
  if (!principal)
    return plain(
      401,
      "Scraping /metrics needs an API token (Authorization: Bearer cdk_…) with the viewer role or above",
      {
        "www-authenticate": 'Bearer realm="clusterdeck"',
      },
    );
  const metrics = getConsoleMetrics();
  if (!metrics) return plain(503, "Metrics are not started yet: the console is still starting", { "retry-after": "5" });
  try {
    // Not compressed here: Next.js drops a route's Content-Encoding header and compresses the body itself
    // when the scraper accepts gzip (the metrics listener of CLUSTERDECK_METRICS_ADDR compresses its own).
    return new Response(await metrics.scrape(), { headers: { "content-type": metrics.contentType } });
  } catch (err) {
    logger.error({ err }, "metrics scrape failed");
    return plain(500, "The scrape failed; see the console's log");
  }
}
