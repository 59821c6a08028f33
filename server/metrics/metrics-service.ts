import { createServer, type Server } from "node:http";
import type { TDb } from "@/server/db";
import { logger } from "@/server/logger";
import { onEvent } from "@/server/poller/event-bus";
import { getFrontendLive } from "@/server/poller/live-state";
import { processSlot } from "@/server/process-singleton";
import type { InventoryCache } from "@/server/services/clusters/inventory-cache";
import type { TClusterView } from "@/server/services/clusters/cluster-view";
import { sessionCountsByRoute, sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { indexedSessionsOnNode } from "@/server/store-poller/poll-store-node";
import { listStoreNodeLive } from "@/server/store-poller/store-live-state";
import { ConsoleMetrics } from "@/server/metrics/console-metrics";
import { encodeScrape } from "@/server/metrics/scrape-encoding";

const slot = processSlot<ConsoleMetrics>("console-metrics");

/** The process's metrics, once startMetrics ran (the console's start-up), else undefined. */
export function getConsoleMetrics(): ConsoleMetrics | undefined {
  return slot.current;
}

/**
 * Creates the process's metrics over the inventory cache and follows the events that feed what cannot be
 * read at scrape time: poll outcomes and durations, balancer counters, rollout and operation states.
 */
export async function startMetrics(db: TDb, cache: InventoryCache): Promise<ConsoleMetrics> {
  if (slot.current) return slot.current;
  const metrics = new ConsoleMetrics({
    views: () => {
      const views: TClusterView[] = [];
      for (const c of cache.all()) {
        const v = cache.view(c.id);
        if (v) views.push(v);
      }
      return views;
    },
    sessions: sessionCountsByRoute,
    storeNodes: () => listStoreNodeLive(),
    storeNodeSessions: (storeId, node) => indexedSessionsOnNode(sessionScans().currentSegment(storeId), node),
  });
  await metrics.work.load(db);
  slot.current = metrics;

  // frontend id -> the labels its series carry, so a deleted or renamed frontend's series can be dropped
  const labelled = new Map<number, { cluster: string; frontend: string }>();
  onEvent("frontend-polled", (ev) => {
    const cluster = cache.byId(ev.clusterId);
    const frontend = cluster?.frontends.find((f) => f.id === ev.frontendId);
    const live = getFrontendLive(ev.frontendId);
    if (!cluster || !frontend || !live) return;
    labelled.set(frontend.id, { cluster: cluster.name, frontend: frontend.name });
    metrics.recordPoll(cluster.name, frontend.name, live);
  });
  cache.onChange(() => {
    const current = new Map<number, string>();
    for (const c of cache.all()) for (const f of c.frontends) current.set(f.id, `${c.name}\u0000${f.name}`);
    for (const [id, labels] of labelled) {
      if (current.get(id) === `${labels.cluster}\u0000${labels.frontend}`) continue;
      metrics.forgetFrontend(id, labels.cluster, labels.frontend);
      labelled.delete(id);
    }
  });
  onEvent("rollout-changed", (ev) => metrics.work.changed("rollout", ev.id, ev.cluster, ev.state));
  onEvent("operation-changed", (ev) => metrics.work.changed("operation", ev.id, ev.cluster, ev.state));
  return metrics;
}

/** "host:port" as CLUSTERDECK_METRICS_ADDR gives it ("[::1]:9464" for IPv6). */
export function parseListenAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65_535)
    throw new Error(`CLUSTERDECK_METRICS_ADDR "${addr}" is not host:port (e.g. 127.0.0.1:9464)`);
  return { host: m[1] ?? m[2]!, port };
}

/**
 * The unauthenticated metrics listener (CLUSTERDECK_METRICS_ADDR): GET /metrics and nothing else. Meant
 * for a loopback or a monitoring network, where Prometheus scrapes without a token; one per process.
 */
export function serveMetrics(metrics: ConsoleMetrics, addr: string): Promise<Server> {
  const { host, port } = parseListenAddress(addr);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Only GET /metrics is served here\n");
      return;
    }
    metrics
      .scrape()
      .then((text) => encodeScrape(text, req.headers["accept-encoding"]))
      .then(
        ({ body, headers }) =>
          res
            .writeHead(200, { "content-type": metrics.contentType, ...headers })
            .end(req.method === "HEAD" ? "" : body),
        (err) => {
          logger.error({ err }, "metrics scrape failed");
          res
            .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
            .end("The scrape failed; see the console's log\n");
        },
      );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      server.unref();
      logger.info({ addr }, "metrics listener started");
      resolve(server);
    });
  });
}
