import type { TDb } from "@/server/db";
import type { TFrontendLive } from "@/server/poller/live-state";
import { createMemberMatcher, type TInventoryMember } from "@/server/services/members/member-identity";

/**
 * History is kept per cluster member, frontends added up (each frontend sends its own traffic), in
 * buckets: 10 s for an hour (written by the poller, already aggregated), 1 minute for a day, 10 minutes
 * for 30 days. A 15-minute chart of 1,000 members reads 90 rows per member it draws, never a raw poll.
 */
export const BUCKET_MS = 10_000;
export const TEN_SECOND_KEEP_MS = 60 * 60 * 1000;
export const MINUTE_KEEP_MS = 24 * 60 * 60 * 1000;
export const TEN_MINUTE_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
/** A poll that ends this long after its bucket closed still lands in it before the bucket is written. */
const FLUSH_GRACE_MS = 2_000;
/** About 10 minutes of a 10,000-member console's buckets, held while the database cannot be written. */
const MAX_PENDING_ROWS = 600_000;

/** One frontend member's readings within one bucket. */
interface TAccumulator {
  route: string;
  host: string | null;
  port: number | null;
  n: number;
  req: number;
  err: number | null;
  bytes: number;
  busy: number;
  healthy: number;
}

export interface TSampleRow {
  clusterId: number;
  route: string;
  at: Date;
  resolution: number;
  requestsPerSec: number;
  errorsPerSec: number | null;
  bytesPerSec: number;
  busy: number;
  healthyRatio: number;
}

type TInventoryOf = (clusterId: number) => Promise<readonly TInventoryMember[]>;

/**
 * Collects each poll's rates in memory, per bucket, and writes every closed bucket of every frontend
 * in one transaction (with the frontends' latest poll outcomes): a 2-second poll of 1,000 members
 * costs additions in memory, and the database sees one batch every 10 seconds.
 */
export class HistoryRecorder {
  /** bucket start → cluster → frontend → member key → readings */
  private readonly buckets = new Map<number, Map<number, Map<number, Map<string, TAccumulator>>>>();
  /** Latest poll outcome per frontend not yet written to FrontendPoll. */
  private readonly polls = new Map<number, TFrontendLive>();
  /** Rows of a write that failed, tried again with the next one. */
  private pending: TSampleRow[] = [];

  constructor(
    private readonly db: TDb,
    private readonly inventoryOf: TInventoryOf = (clusterId) =>
      db.member.findMany({
        where: { clusterId },
        orderBy: { name: "asc" },
        select: { id: true, name: true, route: true, host: true, httpPort: true, ajpPort: true },
      }),
  ) {}

  /** Takes one poll: its outcome, and the rates of a good one (first polls and counter resets have none). */
  record(live: TFrontendLive): void {
    this.polls.set(live.frontendId, live);
    if (!live.up || !live.lastPollAt) return;
    const start = Math.floor(live.lastPollAt.getTime() / BUCKET_MS) * BUCKET_MS;
    const byCluster = getOrSet(this.buckets, start, () => new Map());
    const byFrontend = getOrSet(byCluster, live.clusterId, () => new Map());
    const byKey = getOrSet(byFrontend, live.frontendId, () => new Map());
    for (const m of live.members) {
      if (m.rates === null) continue;
      let acc = byKey.get(m.key);
      if (!acc) {
        acc = { route: m.route, host: m.host, port: m.port, n: 0, req: 0, err: null, bytes: 0, busy: 0, healthy: 0 };
        byKey.set(m.key, acc);
      }
      acc.n++;
      acc.req += m.rates.requestsPerSec;
      acc.bytes += m.rates.bytesPerSec;
      acc.busy += m.busy;
      acc.healthy += m.health === "healthy" ? 1 : 0;
      if (m.rates.errorsPerSec !== null) acc.err = (acc.err ?? 0) + m.rates.errorsPerSec;
    }
  }

  /** Forgets a frontend that was removed (its buckets not yet written go with it). */
  forget(frontendId: number): void {
    this.polls.delete(frontendId);
    for (const byCluster of this.buckets.values())
      for (const byFrontend of byCluster.values()) byFrontend.delete(frontendId);
  }

  /**
   * Writes the buckets that closed (all of them with `everything`, at shutdown) and the latest poll
   * outcomes, in one transaction. Rows a failed write could not store are tried again next time (up to
   * MAX_PENDING_ROWS, the oldest dropped first). Returns the number of sample rows written.
   */
  async flush(now = Date.now(), everything = false): Promise<number> {
    const closed = [...this.buckets.keys()].filter((s) => everything || s + BUCKET_MS + FLUSH_GRACE_MS <= now);
    const rows = this.pending.splice(0);
    for (const start of closed.sort((a, b) => a - b)) {
      for (const [clusterId, byFrontend] of this.buckets.get(start)!)
        rows.push(...(await this.aggregate(clusterId, start, byFrontend)));
      this.buckets.delete(start);
    }
    const polls = [...this.polls.values()];
    this.polls.clear();
    if (rows.length === 0 && polls.length === 0) return 0;
    // Frontends and clusters deleted since they were polled would fail the whole batch on their foreign keys.
    const [frontends, clusters] = await Promise.all([
      this.db.frontend.findMany({ where: { id: { in: polls.map((p) => p.frontendId) } }, select: { id: true } }),
      this.db.cluster.findMany({
        where: { id: { in: [...new Set(rows.map((r) => r.clusterId))] } },
        select: { id: true },
      }),
    ]);
    const liveFrontends = new Set(frontends.map((f) => f.id));
    const liveClusters = new Set(clusters.map((c) => c.id));
    const kept = rows.filter((r) => liveClusters.has(r.clusterId));
    try {
      await this.db.$transaction([
        ...polls
          .filter((p) => liveFrontends.has(p.frontendId))
          .map((live) => {
            const data = {
              up: live.up,
              error: live.error,
              errorCode: live.errorCode,
              lastPollAt: live.lastPollAt ?? new Date(now),
              lastGoodAt: live.lastGoodAt,
              durationMs: live.durationMs,
            };
            return this.db.frontendPoll.upsert({
              where: { frontendId: live.frontendId },
              create: { frontendId: live.frontendId, ...data },
              update: data,
            });
          }),
        this.db.clusterSample.createMany({ data: kept }),
      ]);
    } catch (err) {
      for (const p of polls) if (!this.polls.has(p.frontendId)) this.polls.set(p.frontendId, p);
      this.pending = [...kept, ...this.pending].slice(-MAX_PENDING_ROWS);
      throw err;
    }
    return kept.length;
  }

  /** One row per member: each frontend's readings averaged over the bucket, then the frontends added up. */
  private async aggregate(
    clusterId: number,
    start: number,
    byFrontend: Map<number, Map<string, TAccumulator>>,
  ): Promise<TSampleRow[]> {
    const match = createMemberMatcher(await this.inventoryOf(clusterId));
    const byRoute = new Map<string, TSampleRow & { frontends: number }>();
    for (const byKey of byFrontend.values()) {
      for (const [key, acc] of byKey) {
        const route =
          match({ key, route: acc.route, host: acc.host, port: acc.port } as Parameters<typeof match>[0])?.route ||
          acc.route ||
          key;
        let row = byRoute.get(route);
        if (!row) {
          row = {
            clusterId,
            route,
            at: new Date(start),
            resolution: BUCKET_MS / 1000,
            requestsPerSec: 0,
            errorsPerSec: null,
            bytesPerSec: 0,
            busy: 0,
            healthyRatio: 0,
            frontends: 0,
          };
          byRoute.set(route, row);
        }
        row.frontends++;
        row.requestsPerSec += acc.req / acc.n;
        row.bytesPerSec += acc.bytes / acc.n;
        row.busy += acc.busy / acc.n;
        row.healthyRatio += acc.healthy / acc.n;
        if (acc.err !== null) row.errorsPerSec = (row.errorsPerSec ?? 0) + acc.err / acc.n;
      }
    }
    return [...byRoute.values()].map(({ frontends, ...row }) => ({
      ...row,
      healthyRatio: row.healthyRatio / frontends,
    }));
  }
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Windows rolled up per compaction pass, so a long backlog is worked off over several passes. */
const MAX_WINDOWS_PER_PASS = 200;

/**
 * Rolls rows of one resolution older than `keepMs` into buckets of `bucketSec`, one bucket at a time,
 * oldest first: the database averages each member's rows of the bucket (GROUP BY), so nothing but the
 * results crosses to the console. Rows are selected and deleted by time range, never by a list of ids.
 */
async function rollUp(db: TDb, now: number, from: number, bucketSec: number, keepMs: number): Promise<number> {
  const bucketMs = bucketSec * 1000;
  // Align the cutoff to a bucket edge so no bucket is split between two roll-ups.
  const cutoff = Math.floor((now - keepMs) / bucketMs) * bucketMs;
  let total = 0;
  for (let step = 0; step < MAX_WINDOWS_PER_PASS; step++) {
    const oldest = await db.clusterSample.findFirst({
      where: { resolution: from, at: { lt: new Date(cutoff) } },
      orderBy: { at: "asc" },
      select: { at: true },
    });
    if (!oldest) break;
    const start = Math.floor(oldest.at.getTime() / bucketMs) * bucketMs;
    const range = { resolution: from, at: { gte: new Date(start), lt: new Date(Math.min(cutoff, start + bucketMs)) } };
    const groups = await db.clusterSample.groupBy({
      by: ["clusterId", "route"],
      where: range,
      _avg: { requestsPerSec: true, errorsPerSec: true, bytesPerSec: true, busy: true, healthyRatio: true },
      _count: { _all: true },
    });
    await db.$transaction([
      db.clusterSample.createMany({
        data: groups.map((g) => ({
          clusterId: g.clusterId,
          route: g.route,
          at: new Date(start),
          resolution: bucketSec,
          requestsPerSec: g._avg.requestsPerSec ?? 0,
          errorsPerSec: g._avg.errorsPerSec,
          bytesPerSec: g._avg.bytesPerSec ?? 0,
          busy: g._avg.busy ?? 0,
          healthyRatio: g._avg.healthyRatio ?? 0,
        })),
      }),
      db.clusterSample.deleteMany({ where: range }),
    ]);
    total += groups.reduce((n, g) => n + g._count._all, 0);
  }
  return total;
}

/** One compaction pass; cheap when there is nothing to do. */
export async function compactHistory(db: TDb, now = Date.now()): Promise<void> {
  await rollUp(db, now, BUCKET_MS / 1000, 60, TEN_SECOND_KEEP_MS);
  await rollUp(db, now, 60, 600, MINUTE_KEEP_MS);
  await db.clusterSample.deleteMany({ where: { resolution: 600, at: { lt: new Date(now - TEN_MINUTE_KEEP_MS) } } });
}
