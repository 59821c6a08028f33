import type { TDb } from "@/server/db";
import type { TFrontendLive } from "@/server/poller/live-state";
import type { TObservedMember } from "@/server/adapters/frontends/types";
import { createMemberMatcher, type TInventoryMember } from "@/server/services/members/member-identity";

/**
 * History is kept per cluster, one row per bucket holding every member's values (frontends added up:
 * each frontend sends its own traffic) and the cluster's totals. Three resolutions live side by side:
 * 10-second rows (written by the poller) for an hour, 1-minute rows for a day, 10-minute rows for 30
 * days; a coarser row is made from the finer ones as soon as its bucket has closed. A 15-minute chart
 * of 1,000 members reads 90 rows.
 */
export const BUCKET_MS = 10_000;
/** Seconds per bucket → how long rows of that resolution are kept. */
export const RESOLUTIONS = [
  { seconds: 10, keepMs: 60 * 60 * 1000 },
  { seconds: 60, keepMs: 24 * 60 * 60 * 1000 },
  { seconds: 600, keepMs: 30 * 24 * 60 * 60 * 1000 },
] as const;
/** A poll that ends this long after its bucket closed still lands in it before the bucket is written. */
const FLUSH_GRACE_MS = 2_000;
/** An hour of 10-second buckets for ten clusters, held while the database cannot be written. */
const MAX_PENDING_ROWS = 3_600;

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

/** One member's values in one bucket. */
export interface TMemberValues {
  requestsPerSec: number;
  /** null where none of its frontends counts errors. */
  errorsPerSec: number | null;
  bytesPerSec: number;
  busy: number;
  healthyRatio: number;
}

/** The members of one bucket as stored in ClusterSample.members: one array per value, in the order of routes. */
interface TPackedMembers {
  routes: string[];
  requestsPerSec: number[];
  errorsPerSec: Array<number | null>;
  bytesPerSec: number[];
  busy: number[];
  healthyRatio: number[];
}

export function packMembers(values: ReadonlyMap<string, TMemberValues>): string {
  const packed: TPackedMembers = {
    routes: [],
    requestsPerSec: [],
    errorsPerSec: [],
    bytesPerSec: [],
    busy: [],
    healthyRatio: [],
  };
  for (const [route, v] of values) {
    packed.routes.push(route);
    packed.requestsPerSec.push(round(v.requestsPerSec));
    packed.errorsPerSec.push(v.errorsPerSec === null ? null : round(v.errorsPerSec));
    packed.bytesPerSec.push(round(v.bytesPerSec));
    packed.busy.push(round(v.busy));
    packed.healthyRatio.push(round(v.healthyRatio));
  }
  return JSON.stringify(packed);
}

/** Calls `each` for every member of a stored bucket (the row's own JSON: no copy of it is kept). */
export function forEachMember(members: string, each: (route: string, v: TMemberValues) => void): void {
  const p = JSON.parse(members) as TPackedMembers;
  for (let i = 0; i < p.routes.length; i++) {
    each(p.routes[i]!, {
      requestsPerSec: p.requestsPerSec[i] ?? 0,
      errorsPerSec: p.errorsPerSec[i] ?? null,
      bytesPerSec: p.bytesPerSec[i] ?? 0,
      busy: p.busy[i] ?? 0,
      healthyRatio: p.healthyRatio[i] ?? 0,
    });
  }
}

/** Six significant digits are plenty for a chart and keep a 1,000-member row near 40 KB. */
function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : 0;
}

export interface TSampleRow {
  clusterId: number;
  at: Date;
  resolution: number;
  members: string;
  requestsPerSec: number;
  errorsPerSec: number | null;
  bytesPerSec: number;
  busy: number;
}

/** The cluster's totals over the members of one bucket. */
function totals(values: Iterable<TMemberValues>) {
  let requestsPerSec = 0;
  let errorsPerSec: number | null = null;
  let bytesPerSec = 0;
  let busy = 0;
  for (const v of values) {
    requestsPerSec += v.requestsPerSec;
    bytesPerSec += v.bytesPerSec;
    busy += v.busy;
    if (v.errorsPerSec !== null) errorsPerSec = (errorsPerSec ?? 0) + v.errorsPerSec;
  }
  return { requestsPerSec, errorsPerSec, bytesPerSec, busy };
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
   * outcomes, in one transaction: one row per cluster per bucket. Rows a failed write could not store
   * are tried again next time (up to MAX_PENDING_ROWS, the oldest dropped first). Returns the number of
   * rows written.
   */
  async flush(now = Date.now(), everything = false): Promise<number> {
    const closed = [...this.buckets.keys()].filter((s) => everything || s + BUCKET_MS + FLUSH_GRACE_MS <= now);
    const rows = this.pending.splice(0);
    for (const start of closed.sort((a, b) => a - b)) {
      for (const [clusterId, byFrontend] of this.buckets.get(start)!)
        rows.push(await this.aggregate(clusterId, start, byFrontend));
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

  /** The bucket's row: each frontend's readings averaged over the bucket, then the frontends added up per member. */
  private async aggregate(
    clusterId: number,
    start: number,
    byFrontend: Map<number, Map<string, TAccumulator>>,
  ): Promise<TSampleRow> {
    const match = createMemberMatcher(await this.inventoryOf(clusterId));
    const byRoute = new Map<string, TMemberValues & { frontends: number }>();
    for (const byKey of byFrontend.values()) {
      for (const [key, acc] of byKey) {
        const route =
          match({ key, route: acc.route, host: acc.host, port: acc.port } as TObservedMember)?.route ||
          acc.route ||
          key;
        let v = byRoute.get(route);
        if (!v) {
          v = { requestsPerSec: 0, errorsPerSec: null, bytesPerSec: 0, busy: 0, healthyRatio: 0, frontends: 0 };
          byRoute.set(route, v);
        }
        v.frontends++;
        v.requestsPerSec += acc.req / acc.n;
        v.bytesPerSec += acc.bytes / acc.n;
        v.busy += acc.busy / acc.n;
        v.healthyRatio += acc.healthy / acc.n;
        if (acc.err !== null) v.errorsPerSec = (v.errorsPerSec ?? 0) + acc.err / acc.n;
      }
    }
    for (const v of byRoute.values()) v.healthyRatio /= v.frontends;
    return {
      clusterId,
      at: new Date(start),
      resolution: BUCKET_MS / 1000,
      members: packMembers(byRoute),
      ...totals(byRoute.values()),
    };
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

const ROLL_UP_GRACE_MS = 3 * BUCKET_MS;
/** Coarse buckets made per resolution per compaction pass, so a long backlog is worked off over several. */
const MAX_BUCKETS_PER_PASS = 200;

/**
 * Makes the rows of resolution `to` for every bucket that has closed since the newest one, from the rows
 * of resolution `from` inside it: per member, the mean over the finer rows it appears in; the totals as
 * the mean of the finer totals. Idempotent: a bucket that already has its row is never made twice.
 */
async function rollUp(db: TDb, now: number, from: number, to: number): Promise<number> {
  const toMs = to * 1000;
  // The finer rows of a bucket arrive up to a flush after it closed (HistoryRecorder): wait for them.
  const closedBefore = Math.floor((now - ROLL_UP_GRACE_MS) / toMs) * toMs;
  let made = 0;
  for (let step = 0; step < MAX_BUCKETS_PER_PASS; step++) {
    const newest = await db.clusterSample.findFirst({
      where: { resolution: to },
      orderBy: { at: "desc" },
      select: { at: true },
    });
    const next = await db.clusterSample.findFirst({
      where: {
        resolution: from,
        at: { gte: new Date(newest ? newest.at.getTime() + toMs : 0), lt: new Date(closedBefore) },
      },
      orderBy: { at: "asc" },
      select: { at: true },
    });
    if (!next) break;
    const start = Math.floor(next.at.getTime() / toMs) * toMs;
    const fine = await db.clusterSample.findMany({
      where: { resolution: from, at: { gte: new Date(start), lt: new Date(start + toMs) } },
      orderBy: { clusterId: "asc" },
    });
    const byCluster = new Map<number, typeof fine>();
    for (const row of fine) getOrSet(byCluster, row.clusterId, () => []).push(row);
    await db.clusterSample.createMany({
      data: [...byCluster].map(([clusterId, rows]) => mergeRows(clusterId, new Date(start), to, rows)),
    });
    made += byCluster.size;
  }
  return made;
}

function mergeRows(
  clusterId: number,
  at: Date,
  resolution: number,
  rows: ReadonlyArray<Omit<TSampleRow, "clusterId" | "at" | "resolution">>,
): TSampleRow {
  const sums = new Map<string, TMemberValues & { n: number; nErr: number }>();
  for (const row of rows) {
    forEachMember(row.members, (route, v) => {
      let s = sums.get(route);
      if (!s) {
        s = { requestsPerSec: 0, errorsPerSec: null, bytesPerSec: 0, busy: 0, healthyRatio: 0, n: 0, nErr: 0 };
        sums.set(route, s);
      }
      s.n++;
      s.requestsPerSec += v.requestsPerSec;
      s.bytesPerSec += v.bytesPerSec;
      s.busy += v.busy;
      s.healthyRatio += v.healthyRatio;
      if (v.errorsPerSec !== null) {
        s.nErr++;
        s.errorsPerSec = (s.errorsPerSec ?? 0) + v.errorsPerSec;
      }
    });
  }
  const means = new Map<string, TMemberValues>();
  for (const [route, s] of sums)
    means.set(route, {
      requestsPerSec: s.requestsPerSec / s.n,
      errorsPerSec: s.errorsPerSec === null ? null : s.errorsPerSec / s.nErr,
      bytesPerSec: s.bytesPerSec / s.n,
      busy: s.busy / s.n,
      healthyRatio: s.healthyRatio / s.n,
    });
  const n = rows.length || 1;
  const withErrors = rows.filter((r) => r.errorsPerSec !== null);
  return {
    clusterId,
    at,
    resolution,
    members: packMembers(means),
    requestsPerSec: rows.reduce((a, r) => a + r.requestsPerSec, 0) / n,
    errorsPerSec: withErrors.length ? withErrors.reduce((a, r) => a + r.errorsPerSec!, 0) / withErrors.length : null,
    bytesPerSec: rows.reduce((a, r) => a + r.bytesPerSec, 0) / n,
    busy: rows.reduce((a, r) => a + r.busy, 0) / n,
  };
}

/** One compaction pass: coarser rows for closed buckets, then each resolution pruned to its age. Cheap when idle. */
export async function compactHistory(db: TDb, now = Date.now()): Promise<void> {
  for (let i = 1; i < RESOLUTIONS.length; i++)
    await rollUp(db, now, RESOLUTIONS[i - 1]!.seconds, RESOLUTIONS[i]!.seconds);
  for (const r of RESOLUTIONS)
    await db.clusterSample.deleteMany({ where: { resolution: r.seconds, at: { lt: new Date(now - r.keepMs) } } });
}
