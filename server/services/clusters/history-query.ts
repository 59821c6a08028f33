import type { TDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { BUCKET_MS, TEN_SECOND_KEEP_MS } from "@/server/poller/history";

export const HISTORY_RANGES = { "15m": 15 * 60_000, "1h": 60 * 60_000, "24h": 24 * 60 * 60_000 } as const;
export type THistoryRange = keyof typeof HISTORY_RANGES;

/** How the lines are chosen: the busiest members by requests or by errors, or the members asked for. */
export type THistoryPick = { top: "requests" | "errors"; n: number } | { members: string[] };
export const DEFAULT_PICK: THistoryPick = { top: "requests", n: 5 };
export const MAX_LINES = 20;

/** About this many points per line: enough detail, small payloads. */
const TARGET_POINTS = 120;

export interface TPointValues {
  requestsPerSec: number;
  busy: number;
  errorsPerSec: number | null;
  bytesPerSec: number;
}

export interface THistoryPoint {
  t: number;
  /** Per member route: summed over frontends (each frontend sends its own traffic). */
  values: Record<string, TPointValues>;
  /** The whole cluster: every member, not only the lines drawn. */
  total: TPointValues;
}

export interface THistorySeries {
  range: THistoryRange;
  bucketMs: number;
  /** The lines drawn, in the order picked (busiest first for a top-N pick). */
  routes: string[];
  pick: THistoryPick;
  points: THistoryPoint[];
}

type TValuesRow = { at: Date } & TPointValues;

/** Which stored resolutions cover a range: the 10-second buckets for the last hour, minutes before. */
function resolutionsFor(spanMs: number): number[] {
  return spanMs > TEN_SECOND_KEEP_MS ? [BUCKET_MS / 1000, 60, 600] : [BUCKET_MS / 1000];
}

async function clusterIdOf(db: TDb, name: string): Promise<number> {
  const c = await db.cluster.findUnique({ where: { name }, select: { id: true } });
  if (!c) throw new AppError("NOT_FOUND", `No cluster named "${name}"`);
  return c.id;
}

/**
 * Chart series for a cluster, from the pre-aggregated buckets (history.ts): the database ranks the
 * members and adds up the cluster total, and only the picked members' rows are read. A 15-minute
 * chart of 1,000 members reads 90 rows per line drawn.
 */
export async function getClusterHistory(
  db: TDb,
  clusterName: string,
  range: THistoryRange,
  pick: THistoryPick = DEFAULT_PICK,
  now = Date.now(),
): Promise<THistorySeries> {
  const clusterId = await clusterIdOf(db, clusterName);
  const spanMs = HISTORY_RANGES[range];
  const bucketMs = Math.max(BUCKET_MS, Math.ceil(spanMs / TARGET_POINTS / BUCKET_MS) * BUCKET_MS);
  const from = new Date(Math.floor((now - spanMs) / bucketMs) * bucketMs);
  const where = { clusterId, resolution: { in: resolutionsFor(spanMs) }, at: { gte: from } };

  const routes = "members" in pick ? pick.members.slice(0, MAX_LINES) : await topRoutes(db, where, pick);
  const [rows, totals] = await Promise.all([
    routes.length === 0
      ? Promise.resolve([])
      : db.clusterSample.findMany({
          where: { ...where, route: { in: routes } },
          select: { route: true, at: true, requestsPerSec: true, busy: true, errorsPerSec: true, bytesPerSec: true },
          orderBy: { at: "asc" },
        }),
    db.clusterSample.groupBy({
      by: ["at"],
      where,
      _sum: { requestsPerSec: true, busy: true, errorsPerSec: true, bytesPerSec: true },
      orderBy: { at: "asc" },
    }),
  ]);

  const buckets = new Map<number, { total: BucketMean; byRoute: Map<string, BucketMean> }>();
  const bucketOf = (at: Date) => {
    const t = Math.floor(at.getTime() / bucketMs) * bucketMs;
    let b = buckets.get(t);
    if (!b) {
      b = { total: new BucketMean(), byRoute: new Map() };
      buckets.set(t, b);
    }
    return b;
  };
  for (const g of totals) {
    bucketOf(g.at).total.add({
      at: g.at,
      requestsPerSec: g._sum.requestsPerSec ?? 0,
      busy: g._sum.busy ?? 0,
      errorsPerSec: g._sum.errorsPerSec,
      bytesPerSec: g._sum.bytesPerSec ?? 0,
    });
  }
  for (const r of rows) {
    const b = bucketOf(r.at);
    let mean = b.byRoute.get(r.route);
    if (!mean) b.byRoute.set(r.route, (mean = new BucketMean()));
    mean.add(r);
  }
  const points: THistoryPoint[] = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, b]) => ({
      t,
      values: Object.fromEntries([...b.byRoute].map(([route, mean]) => [route, mean.value()])),
      total: b.total.value(),
    }));
  return { range, bucketMs, routes, pick, points };
}

/** The busiest members over the range, ranked by the database (SUM … GROUP BY route … LIMIT n). */
async function topRoutes(
  db: TDb,
  where: { clusterId: number; resolution: { in: number[] }; at: { gte: Date } },
  pick: { top: "requests" | "errors"; n: number },
): Promise<string[]> {
  const n = Math.min(Math.max(1, pick.n), MAX_LINES);
  const ranked =
    pick.top === "requests"
      ? await db.clusterSample.groupBy({
          by: ["route"],
          where,
          _sum: { requestsPerSec: true },
          orderBy: [{ _sum: { requestsPerSec: "desc" } }, { route: "asc" }],
          take: n,
        })
      : await db.clusterSample.groupBy({
          by: ["route"],
          where: { ...where, errorsPerSec: { not: null } },
          _sum: { errorsPerSec: true },
          orderBy: [{ _sum: { errorsPerSec: "desc" } }, { route: "asc" }],
          take: n,
        });
  return ranked.map((r) => r.route);
}

/** Each member's share of the cluster's requests since `sinceMs` (0–1), null where nothing was measured. */
export async function getRequestShares(
  db: TDb,
  clusterName: string,
  routes: readonly string[],
  sinceMs: number,
): Promise<{ share: number | null; byRoute: Map<string, number> }> {
  const clusterId = await clusterIdOf(db, clusterName);
  const where = { clusterId, resolution: BUCKET_MS / 1000, at: { gte: new Date(sinceMs) } };
  const [all, mine] = await Promise.all([
    db.clusterSample.aggregate({ where, _sum: { requestsPerSec: true } }),
    db.clusterSample.groupBy({
      by: ["route"],
      where: { ...where, route: { in: [...routes] } },
      _sum: { requestsPerSec: true },
    }),
  ]);
  const total = all._sum.requestsPerSec ?? 0;
  const byRoute = new Map(mine.map((g) => [g.route, total > 0 ? (g._sum.requestsPerSec ?? 0) / total : 0]));
  const share = total > 0 ? [...byRoute.values()].reduce((a, b) => a + b, 0) : null;
  return { share, byRoute };
}

/** The mean of the rows that fall in one chart bucket (several stored buckets per chart point). */
class BucketMean {
  private n = 0;
  private req = 0;
  private busy = 0;
  private err: number | null = null;
  private bytes = 0;
  add(r: TValuesRow): void {
    this.n++;
    this.req += r.requestsPerSec;
    this.busy += r.busy;
    this.bytes += r.bytesPerSec;
    if (r.errorsPerSec !== null) this.err = (this.err ?? 0) + r.errorsPerSec;
  }
  value(): TPointValues {
    const n = this.n || 1;
    return {
      requestsPerSec: this.req / n,
      busy: this.busy / n,
      errorsPerSec: this.err === null ? null : this.err / n,
      bytesPerSec: this.bytes / n,
    };
  }
}
