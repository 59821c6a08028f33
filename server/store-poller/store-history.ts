import type { TDb } from "@/server/db";
import { RESOLUTIONS } from "@/server/poller/history";
import type { TStoreNodeLive } from "@/server/store-poller/store-live-state";

/** Kept as long as the frontends' history (server/poller/history.ts): raw 1 h, 1-minute 24 h, 10-minute 30 days. */
export const RAW_KEEP_MS = RESOLUTIONS[0].keepMs;
export const MINUTE_KEEP_MS = RESOLUTIONS[1].keepMs;
export const TEN_MINUTE_KEEP_MS = RESOLUTIONS[2].keepMs;

/**
 * Store node history, kept like the members': raw polls for an hour, 1-minute buckets for a day,
 * 10-minute buckets for 30 days. Raw rows are written in batches (one insert every few seconds for every
 * node together), so polling many nodes costs the database little.
 */

export interface TStoreSampleRow {
  storeNodeId: number;
  at: Date;
  resolution: number;
  upRatio: number;
  memoryUsedBytes: number | null;
  memoryLimitBytes: number | null;
  items: number;
  sessions: number | null;
  hitRatio: number | null;
  evictionsPerSec: number | null;
  connections: number | null;
  opsPerSec: number | null;
}

/** The sample a poll gives (a failed poll counts as down, with the last figures carried). */
export function sampleOf(live: TStoreNodeLive, sessions: number | null): TStoreSampleRow {
  const r = live.reading;
  return {
    storeNodeId: live.storeNodeId,
    at: live.lastPollAt ?? new Date(),
    resolution: 0,
    upRatio: live.up ? 1 : 0,
    memoryUsedBytes: live.up ? (r?.memoryUsedBytes ?? null) : null,
    memoryLimitBytes: r?.memoryLimitBytes ?? null,
    items: live.up ? (r?.items ?? 0) : 0,
    sessions,
    hitRatio: live.up ? live.hitRatio : null,
    evictionsPerSec: live.rates?.evictionsPerSec ?? null,
    connections: live.up ? (r?.connections ?? null) : null,
    opsPerSec: live.rates?.commandsPerSec ?? live.rates?.createdPerSec ?? null,
  };
}

export async function writeStoreSamples(db: TDb, rows: TStoreSampleRow[]): Promise<void> {
  if (rows.length > 0) await db.storeNodeSample.createMany({ data: rows });
}

const MEAN_FIELDS = [
  "upRatio",
  "memoryUsedBytes",
  "memoryLimitBytes",
  "items",
  "sessions",
  "hitRatio",
  "evictionsPerSec",
  "connections",
  "opsPerSec",
] as const;
type TMeanField = (typeof MEAN_FIELDS)[number];

/** Buckets rolled up per step (each step reads one window of rows). */
const WINDOW_BUCKETS = 10;
const MAX_WINDOWS_PER_PASS = 200;

/**
 * Rolls rows of one resolution older than `keepMs` into buckets of `bucketSec` (means; a field a bucket
 * never had stays null), then deletes them, one window of whole buckets at a time, selected and deleted by
 * time range (never by a list of ids: a backlog's list would exceed the database's parameter limit).
 */
async function rollUp(db: TDb, now: number, from: number, bucketSec: number, keepMs: number): Promise<void> {
  const bucketMs = bucketSec * 1000;
  const cutoff = Math.floor((now - keepMs) / bucketMs) * bucketMs;
  for (let step = 0; step < MAX_WINDOWS_PER_PASS; step++) {
    const oldest = await db.storeNodeSample.findFirst({
      where: { resolution: from, at: { lt: new Date(cutoff) } },
      orderBy: { at: "asc" },
      select: { at: true },
    });
    if (!oldest) return;
    const windowStart = Math.floor(oldest.at.getTime() / bucketMs) * bucketMs;
    const range = {
      resolution: from,
      at: { gte: new Date(windowStart), lt: new Date(Math.min(cutoff, windowStart + WINDOW_BUCKETS * bucketMs)) },
    };
    const rows = await db.storeNodeSample.findMany({ where: range });
    const buckets = new Map<
      string,
      { storeNodeId: number; start: number; sums: Record<TMeanField, [number, number]> }
    >();
    for (const r of rows) {
      const start = Math.floor(r.at.getTime() / bucketMs) * bucketMs;
      const id = `${r.storeNodeId}\u0000${start}`;
      let b = buckets.get(id);
      if (!b) {
        b = {
          storeNodeId: r.storeNodeId,
          start,
          sums: Object.fromEntries(MEAN_FIELDS.map((f) => [f, [0, 0]])) as Record<TMeanField, [number, number]>,
        };
        buckets.set(id, b);
      }
      for (const f of MEAN_FIELDS) {
        const v = r[f];
        if (v === null) continue;
        b.sums[f][0] += v;
        b.sums[f][1]++;
      }
    }
    const mean = (s: [number, number]) => (s[1] === 0 ? null : s[0] / s[1]);
    await db.$transaction([
      db.storeNodeSample.createMany({
        data: [...buckets.values()].map((b) => ({
          storeNodeId: b.storeNodeId,
          at: new Date(b.start),
          resolution: bucketSec,
          upRatio: mean(b.sums.upRatio) ?? 0,
          memoryUsedBytes: mean(b.sums.memoryUsedBytes),
          memoryLimitBytes: mean(b.sums.memoryLimitBytes),
          items: mean(b.sums.items) ?? 0,
          sessions: mean(b.sums.sessions),
          hitRatio: mean(b.sums.hitRatio),
          evictionsPerSec: mean(b.sums.evictionsPerSec),
          connections: mean(b.sums.connections),
          opsPerSec: mean(b.sums.opsPerSec),
        })),
      }),
      db.storeNodeSample.deleteMany({ where: range }),
    ]);
  }
}

/** One compaction pass; cheap when there is nothing to do. */
export async function compactStoreHistory(db: TDb, now = Date.now()): Promise<void> {
  await rollUp(db, now, 0, 60, RAW_KEEP_MS);
  await rollUp(db, now, 60, 600, MINUTE_KEEP_MS);
  await db.storeNodeSample.deleteMany({ where: { resolution: 600, at: { lt: new Date(now - TEN_MINUTE_KEEP_MS) } } });
}
