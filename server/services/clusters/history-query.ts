import type { TDb } from "@/server/db";
import { z } from "zod";
import { clusterIdOf } from "@/server/services/inventory/inventory";
import { forEachMember, RESOLUTIONS, type TMemberValues } from "@/server/poller/history";

export const HISTORY_RANGES = { "15m": 15 * 60_000, "1h": 60 * 60_000, "24h": 24 * 60 * 60_000 } as const;
export type THistoryRange = keyof typeof HISTORY_RANGES;

/** How the lines are chosen: the busiest members by requests or by errors, or the members asked for. */
export type THistoryPick = { top: "requests" | "errors"; n: number } | { members: string[] };
export const DEFAULT_PICK: THistoryPick = { top: "requests", n: 5 };
export const MAX_LINES = 20;

/**
 * The pick as flat query fields (REST's `?top=errors&n=3` or `?members=a&members=b`): `members` wins;
 * otherwise the busiest by `top` (default requests), `n` of them (default 5).
 */
export const ZHistoryQuery = z.object({
  top: z.enum(["requests", "errors"]).optional().describe("draw the busiest members by requests or by errors"),
  n: z.coerce.number().int().min(1).max(MAX_LINES).optional().describe("how many of the busiest (default 5)"),
  members: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(MAX_LINES)
    .optional()
    .describe("member routes to draw instead of the busiest"),
});

export function pickOf(query: z.infer<typeof ZHistoryQuery>): THistoryPick {
  if (query.members) return { members: query.members };
  return { top: query.top ?? "requests", n: query.n ?? 5 };
}

/** Stored resolution (seconds) read for each range: 90, 360 and 144 rows. */
const RANGE_RESOLUTION: Record<THistoryRange, number> = { "15m": 10, "1h": 10, "24h": 600 };
/** Chart point width per range: 90, 120 and 144 points. */
const RANGE_BUCKET_MS: Record<THistoryRange, number> = { "15m": 10_000, "1h": 30_000, "24h": 600_000 };

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

type TStoredRow = {
  at: Date;
  members: string;
  requestsPerSec: number;
  errorsPerSec: number | null;
  bytesPerSec: number;
  busy: number;
};

/**
 * The rows covering [from, now): the range's own resolution, then finer rows for the stretch after its
 * newest row (the coarse bucket still open, or not yet rolled up after an upgrade).
 */
async function readRows(db: TDb, clusterId: number, range: THistoryRange, from: Date): Promise<TStoredRow[]> {
  const coarsest = RANGE_RESOLUTION[range];
  const select = { at: true, members: true, requestsPerSec: true, errorsPerSec: true, bytesPerSec: true, busy: true };
  const rows: TStoredRow[] = [];
  let since = from;
  for (const r of RESOLUTIONS.filter((x) => x.seconds <= coarsest).reverse()) {
    const part = await db.clusterSample.findMany({
      where: { clusterId, resolution: r.seconds, at: { gte: since } },
      select,
      orderBy: { at: "asc" },
    });
    rows.push(...part);
    const last = part[part.length - 1];
    if (last) since = new Date(last.at.getTime() + r.seconds * 1000);
  }
  return rows;
}

/**
 * Chart series for a cluster from the pre-aggregated rows (one per bucket, every member inside): the
 * members are ranked over the range (or taken as asked), and only the picked ones and the cluster's
 * total become lines. A 15-minute chart of 1,000 members reads 90 rows.
 */
export async function getClusterHistory(
  db: TDb,
  clusterName: string,
  range: THistoryRange,
  pick: THistoryPick = DEFAULT_PICK,
  now = Date.now(),
): Promise<THistorySeries> {
  const clusterId = await clusterIdOf(db, clusterName);
  const bucketMs = RANGE_BUCKET_MS[range];
  const from = new Date(Math.floor((now - HISTORY_RANGES[range]) / bucketMs) * bucketMs);
  const rows = await readRows(db, clusterId, range, from);

  let routes: string[];
  if ("members" in pick) routes = pick.members.slice(0, MAX_LINES);
  else {
    const score = new Map<string, number>();
    const field = pick.top === "requests" ? "requestsPerSec" : "errorsPerSec";
    for (const row of rows)
      forEachMember(row.members, (route, v) => {
        const x = v[field];
        if (x !== null) score.set(route, (score.get(route) ?? 0) + x);
      });
    routes = [...score]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, Math.min(Math.max(1, pick.n), MAX_LINES))
      .map(([route]) => route);
  }
  const wanted = new Set(routes);

  const buckets = new Map<number, { total: BucketMean; byRoute: Map<string, BucketMean> }>();
  for (const row of rows) {
    const t = Math.floor(row.at.getTime() / bucketMs) * bucketMs;
    let b = buckets.get(t);
    if (!b) buckets.set(t, (b = { total: new BucketMean(), byRoute: new Map() }));
    b.total.add(row);
    const byRoute = b.byRoute;
    forEachMember(row.members, (route, v) => {
      if (!wanted.has(route)) return;
      let mean = byRoute.get(route);
      if (!mean) byRoute.set(route, (mean = new BucketMean()));
      mean.add(v);
    });
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

/** The selection's share of the cluster's requests since `sinceMs` (0–1), null where nothing was measured. */
export async function getRequestShares(
  db: TDb,
  clusterName: string,
  routes: readonly string[],
  sinceMs: number,
): Promise<{ share: number | null; byRoute: Map<string, number> }> {
  const clusterId = await clusterIdOf(db, clusterName);
  const rows = await db.clusterSample.findMany({
    where: { clusterId, resolution: RESOLUTIONS[0].seconds, at: { gte: new Date(sinceMs) } },
    select: { members: true, requestsPerSec: true },
  });
  const wanted = new Set(routes);
  const mine = new Map<string, number>();
  let total = 0;
  for (const row of rows) {
    total += row.requestsPerSec;
    forEachMember(row.members, (route, v) => {
      if (wanted.has(route)) mine.set(route, (mine.get(route) ?? 0) + v.requestsPerSec);
    });
  }
  if (total <= 0) return { share: null, byRoute: new Map() };
  const byRoute = new Map(routes.map((r) => [r, (mine.get(r) ?? 0) / total]));
  return { share: [...byRoute.values()].reduce((a, b) => a + b, 0), byRoute };
}

/** The mean of the stored values that fall in one chart point. */
class BucketMean {
  private n = 0;
  private nErr = 0;
  private req = 0;
  private busy = 0;
  private err: number | null = null;
  private bytes = 0;
  add(v: Pick<TMemberValues, "requestsPerSec" | "busy" | "errorsPerSec" | "bytesPerSec">): void {
    this.n++;
    this.req += v.requestsPerSec;
    this.busy += v.busy;
    this.bytes += v.bytesPerSec;
    if (v.errorsPerSec !== null) {
      this.nErr++;
      this.err = (this.err ?? 0) + v.errorsPerSec;
    }
  }
  value(): TPointValues {
    const n = this.n || 1;
    return {
      requestsPerSec: this.req / n,
      busy: this.busy / n,
      errorsPerSec: this.err === null ? null : this.err / this.nErr,
      bytesPerSec: this.bytes / n,
    };
  }
}
