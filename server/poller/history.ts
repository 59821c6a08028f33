import type { TDb } from "@/server/db";
import type { TLiveMember } from "@/server/poller/live-state";

/**
 * History is kept downsampled: raw polls for the last hour, 1-minute buckets for a day,
 * 10-minute buckets for 30 days. Charts over 15 min / 1 h read raw rows; 24 h reads both.
 */
export const RAW_KEEP_MS = 60 * 60 * 1000;
export const MINUTE_KEEP_MS = 24 * 60 * 60 * 1000;
export const TEN_MINUTE_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

export async function recordSamples(db: TDb, frontendId: number, at: Date, members: TLiveMember[]): Promise<void> {
  const rows = members
    .filter((m) => m.rates !== null)
    .map((m) => ({
      frontendId,
      memberKey: m.key,
      route: m.route,
      at,
      resolution: 0,
      requestsPerSec: m.rates!.requestsPerSec,
      errorsPerSec: m.rates!.errorsPerSec,
      bytesPerSec: m.rates!.bytesPerSec,
      busy: m.busy,
      healthyRatio: m.health === "healthy" ? 1 : 0,
    }));
  if (rows.length > 0) await db.memberSample.createMany({ data: rows });
}

interface TBucket {
  frontendId: number;
  memberKey: string;
  route: string;
  start: number;
  n: number;
  requestsPerSec: number;
  errorsPerSec: number | null;
  bytesPerSec: number;
  busy: number;
  healthyRatio: number;
}

/** Buckets rolled up per step: one step reads every row of that window (a few thousand at most). */
const WINDOW_BUCKETS = 10;
/** Steps per compaction pass, so a long backlog is worked off over several passes, not in one. */
const MAX_WINDOWS_PER_PASS = 200;

/**
 * Rolls rows of one resolution older than `keepMs` into buckets of `bucketSec`, then deletes them,
 * one window of whole buckets at a time, oldest first. Rows are selected and deleted by time range,
 * never by a list of ids: a list as long as a backlog exceeds the database's parameter limit (SQLite
 * through Prisma refused 12,000), which stopped compaction for good once a backlog built up.
 */
async function rollUp(db: TDb, now: number, from: number, bucketSec: number, keepMs: number): Promise<number> {
  const bucketMs = bucketSec * 1000;
  // Align the cutoff to a bucket edge so no bucket is split between two roll-ups.
  const cutoff = Math.floor((now - keepMs) / bucketMs) * bucketMs;
  let total = 0;
  for (let step = 0; step < MAX_WINDOWS_PER_PASS; step++) {
    const oldest = await db.memberSample.findFirst({
      where: { resolution: from, at: { lt: new Date(cutoff) } },
      orderBy: { at: "asc" },
      select: { at: true },
    });
    if (!oldest) break;
    const windowStart = Math.floor(oldest.at.getTime() / bucketMs) * bucketMs;
    const range = {
      resolution: from,
      at: { gte: new Date(windowStart), lt: new Date(Math.min(cutoff, windowStart + WINDOW_BUCKETS * bucketMs)) },
    };
    const rows = await db.memberSample.findMany({ where: range });
    const buckets = new Map<string, TBucket>();
    for (const r of rows) {
      const start = Math.floor(r.at.getTime() / bucketMs) * bucketMs;
      const id = `${r.frontendId}\u0000${r.memberKey}\u0000${start}`;
      const b = buckets.get(id) ?? {
        frontendId: r.frontendId,
        memberKey: r.memberKey,
        route: r.route,
        start,
        n: 0,
        requestsPerSec: 0,
        errorsPerSec: null,
        bytesPerSec: 0,
        busy: 0,
        healthyRatio: 0,
      };
      b.n++;
      b.requestsPerSec += r.requestsPerSec;
      b.bytesPerSec += r.bytesPerSec;
      b.busy += r.busy;
      b.healthyRatio += r.healthyRatio;
      if (r.errorsPerSec !== null) b.errorsPerSec = (b.errorsPerSec ?? 0) + r.errorsPerSec;
      buckets.set(id, b);
    }
    await db.$transaction([
      db.memberSample.createMany({
        data: [...buckets.values()].map((b) => ({
          frontendId: b.frontendId,
          memberKey: b.memberKey,
          route: b.route,
          at: new Date(b.start),
          resolution: bucketSec,
          requestsPerSec: b.requestsPerSec / b.n,
          errorsPerSec: b.errorsPerSec === null ? null : b.errorsPerSec / b.n,
          bytesPerSec: b.bytesPerSec / b.n,
          busy: b.busy / b.n,
          healthyRatio: b.healthyRatio / b.n,
        })),
      }),
      db.memberSample.deleteMany({ where: range }),
    ]);
    total += rows.length;
  }
  return total;
}

/** One compaction pass; cheap when there is nothing to do. */
export async function compactHistory(db: TDb, now = Date.now()): Promise<void> {
  await rollUp(db, now, 0, 60, RAW_KEEP_MS);
  await rollUp(db, now, 60, 600, MINUTE_KEEP_MS);
  await db.memberSample.deleteMany({ where: { resolution: 600, at: { lt: new Date(now - TEN_MINUTE_KEEP_MS) } } });
}
