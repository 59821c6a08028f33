import type { TDb } from "@/server/db";
import { RAW_KEEP_MS } from "@/server/store-poller/store-history";
import { HISTORY_RANGES, type THistoryRange } from "@/server/services/clusters/history-query";
import { getClusterByName } from "@/server/services/inventory/inventory";

/** About this many points per line (as the member charts). */
const TARGET_POINTS = 120;

const FIELDS = [
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
export type TStoreMetric = (typeof FIELDS)[number];

export interface TStoreHistory {
  range: THistoryRange;
  bucketMs: number;
  /** One line per store node: "store/node". */
  nodes: Array<{ key: string; store: string; node: string }>;
  points: Array<{ t: number; values: Record<string, Partial<Record<TStoreMetric, number | null>>> }>;
}

/**
 * Chart series per store node of a cluster, over the same ranges as the member charts: each bucket holds
 * the mean of the samples in it (a node that was down part of the bucket has upRatio < 1). 24 h reads the
 * roll-ups plus the raw last hour.
 */
export async function getStoreHistory(
  db: TDb,
  cluster: string,
  range: THistoryRange,
  now = Date.now(),
): Promise<TStoreHistory> {
  const c = await getClusterByName(db, cluster);
  const stores = await db.sessionStore.findMany({
    where: { clusterId: c.id },
    include: { nodes: true },
    orderBy: { name: "asc" },
  });
  const byId = new Map(
    stores.flatMap((s) =>
      s.nodes.map((n) => [n.id, { key: `${s.name}/${n.name}`, store: s.name, node: n.name }] as const),
    ),
  );
  const spanMs = HISTORY_RANGES[range];
  const bucketMs = Math.max(10_000, Math.ceil(spanMs / TARGET_POINTS / 10_000) * 10_000);
  const from = new Date(Math.floor((now - spanMs) / bucketMs) * bucketMs);
  const rows = await db.storeNodeSample.findMany({
    where: {
      storeNodeId: { in: [...byId.keys()] },
      resolution: { in: spanMs > RAW_KEEP_MS ? [0, 60, 600] : [0] },
      at: { gte: from },
    },
    orderBy: { at: "asc" },
  });
  const buckets = new Map<number, Map<string, Record<TStoreMetric, [number, number]>>>();
  for (const r of rows) {
    const node = byId.get(r.storeNodeId)!;
    const t = Math.floor(r.at.getTime() / bucketMs) * bucketMs;
    const byNode = buckets.get(t) ?? new Map<string, Record<TStoreMetric, [number, number]>>();
    buckets.set(t, byNode);
    let acc = byNode.get(node.key);
    if (!acc) {
      acc = Object.fromEntries(FIELDS.map((f) => [f, [0, 0]])) as Record<TStoreMetric, [number, number]>;
      byNode.set(node.key, acc);
    }
    for (const f of FIELDS) {
      const v = r[f];
      if (v === null) continue;
      acc[f][0] += v;
      acc[f][1]++;
    }
  }
  const points = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, byNode]) => ({
      t,
      values: Object.fromEntries(
        [...byNode].map(([key, acc]) => [
          key,
          Object.fromEntries(FIELDS.map((f) => [f, acc[f][1] ? acc[f][0] / acc[f][1] : null])),
        ]),
      ),
    }));
  return { range, bucketMs, nodes: [...byId.values()].sort((a, b) => (a.key < b.key ? -1 : 1)), points };
}
