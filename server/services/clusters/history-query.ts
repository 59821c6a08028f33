import type { TDb } from "@/server/db";
import { RAW_KEEP_MS } from "@/server/poller/history";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { matchMember } from "@/server/services/members/member-identity";
import { getFrontendLive } from "@/server/poller/live-state";

export const HISTORY_RANGES = { "15m": 15 * 60_000, "1h": 60 * 60_000, "24h": 24 * 60 * 60_000 } as const;
export type THistoryRange = keyof typeof HISTORY_RANGES;

/** About this many points per line: enough detail, small payloads. */
const TARGET_POINTS = 120;

export interface THistoryPoint {
  t: number;
  /** Per member route: summed over frontends (each frontend sends its own traffic). */
  values: Record<string, { requestsPerSec: number; busy: number; errorsPerSec: number | null; bytesPerSec: number }>;
}

export interface THistorySeries {
  range: THistoryRange;
  bucketMs: number;
  routes: string[];
  points: THistoryPoint[];
}

/**
 * Chart series for a cluster. Each frontend's samples are averaged within a bucket, then frontends are
 * added up per member route. 24 h reads the 1-minute roll-ups plus the raw last hour.
 */
/**
 * A line per inventory member even for frontends without routes (nginx): a sample's member key is
 * matched to the member the frontend's live reading shows under that key (by host and port); the key
 * itself stands in when the console has not read that frontend yet.
 */
function routeResolver(
  cluster: Awaited<ReturnType<typeof getClusterByName>>,
): (frontendId: number, memberKey: string) => string {
  const cache = new Map<string, string>();
  return (frontendId, memberKey) => {
    const k = `${frontendId} ${memberKey}`;
    let route = cache.get(k);
    if (route === undefined) {
      const observed = getFrontendLive(frontendId)?.members.find((m) => m.key === memberKey);
      route = (observed && matchMember(cluster.members, observed)?.route) || memberKey;
      cache.set(k, route);
    }
    return route;
  };
}

export async function getClusterHistory(
  db: TDb,
  clusterName: string,
  range: THistoryRange,
  now = Date.now(),
): Promise<THistorySeries> {
  const cluster = await getClusterByName(db, clusterName);
  const spanMs = HISTORY_RANGES[range];
  const bucketMs = Math.max(10_000, Math.ceil(spanMs / TARGET_POINTS / 10_000) * 10_000);
  const from = new Date(Math.floor((now - spanMs) / bucketMs) * bucketMs);
  const resolutions = spanMs > RAW_KEEP_MS ? [0, 60, 600] : [0];
  const rows = await db.memberSample.findMany({
    where: {
      frontendId: { in: cluster.frontends.map((f) => f.id) },
      resolution: { in: resolutions },
      at: { gte: from },
    },
    select: {
      frontendId: true,
      route: true,
      memberKey: true,
      at: true,
      requestsPerSec: true,
      busy: true,
      errorsPerSec: true,
      bytesPerSec: true,
    },
    orderBy: { at: "asc" },
  });

  // bucket -> route -> frontend -> accumulated sums
  type TAcc = { n: number; req: number; busy: number; err: number | null; bytes: number };
  const buckets = new Map<number, Map<string, Map<number, TAcc>>>();
  const routes = new Set<string>();
  const routeOf = routeResolver(cluster);
  for (const r of rows) {
    const t = Math.floor(r.at.getTime() / bucketMs) * bucketMs;
    const route = r.route || routeOf(r.frontendId, r.memberKey);
    routes.add(route);
    const byRoute = buckets.get(t) ?? new Map<string, Map<number, TAcc>>();
    buckets.set(t, byRoute);
    const byFrontend = byRoute.get(route) ?? new Map<number, TAcc>();
    byRoute.set(route, byFrontend);
    const acc = byFrontend.get(r.frontendId) ?? { n: 0, req: 0, busy: 0, err: null, bytes: 0 };
    acc.n++;
    acc.req += r.requestsPerSec;
    acc.busy += r.busy;
    acc.bytes += r.bytesPerSec;
    if (r.errorsPerSec !== null) acc.err = (acc.err ?? 0) + r.errorsPerSec;
    byFrontend.set(r.frontendId, acc);
  }
  const points: THistoryPoint[] = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, byRoute]) => {
      const values: THistoryPoint["values"] = {};
      for (const [route, byFrontend] of byRoute) {
        const v = { requestsPerSec: 0, busy: 0, errorsPerSec: null as number | null, bytesPerSec: 0 };
        for (const acc of byFrontend.values()) {
          v.requestsPerSec += acc.req / acc.n;
          v.busy += acc.busy / acc.n;
          v.bytesPerSec += acc.bytes / acc.n;
          if (acc.err !== null) v.errorsPerSec = (v.errorsPerSec ?? 0) + acc.err / acc.n;
        }
        values[route] = v;
      }
      return { t, values };
    });
  return { range, bucketMs, routes: [...routes].sort(), points };
}
