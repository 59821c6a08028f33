import { processSingleton } from "@/server/process-singleton";
import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import { logger } from "@/server/logger";
import { storeConfigs } from "@/server/services/sessions/sessions";
import { nodeName, SessionIndexBuilder, type TSessionIndexTable } from "@/server/services/sessions/session-index/table";
import {
  querySessionIndex,
  type TSessionPage,
  type TSessionQueryInput,
} from "@/server/services/sessions/session-index/query";
import type { TFacets, TIndexStatus } from "@/server/services/sessions/session-index/session-index-schema";

interface TClusterIndex {
  table: TSessionIndexTable | null;
  status: TIndexStatus;
  running: Promise<void> | null;
}

// One index per cluster, per console process (a cache of the stores, rebuilt on start).
const indexes = processSingleton("session-indexes", () => new Map<string, TClusterIndex>());

function entry(cluster: string): TClusterIndex {
  let e = indexes.get(cluster);
  if (!e) {
    e = {
      table: null,
      status: { scannedAt: null, durationMs: null, building: null, errors: [], notIndexed: [] },
      running: null,
    };
    indexes.set(cluster, e);
  }
  return e;
}

/** Scans every store of the cluster and swaps the new index in. Concurrent calls share one scan. */
export function rebuildSessionIndex(db: TDb, cluster: string): Promise<void> {
  const e = entry(cluster);
  e.running ??= scan(db, cluster, e).finally(() => {
    e.running = null;
  });
  return e.running;
}

async function scan(db: TDb, cluster: string, e: TClusterIndex): Promise<void> {
  const startedAt = Date.now();
  const building = { startedAt, scanned: 0 };
  e.status = { ...e.status, building };
  const builder = new SessionIndexBuilder();
  const errors: TIndexStatus["errors"] = [];
  const notIndexed: string[] = [];
  try {
    for (const store of await storeConfigs(db, cluster)) {
      const adapter = getStoreAdapter(store.kind);
      if (!adapter.enumerateSessions) {
        notIndexed.push(store.name);
        continue;
      }
      builder.add(store.name, []); // listed in the filters even while it holds no session
      try {
        for await (const rows of adapter.enumerateSessions(store)) {
          builder.add(store.name, rows);
          building.scanned = builder.count;
        }
      } catch (err) {
        errors.push({
          store: store.name,
          error: `${(err as Error).message} — its sessions are missing or incomplete in this scan`,
        });
      }
    }
    e.table = builder.finish(startedAt);
    e.status = { scannedAt: startedAt, durationMs: Date.now() - startedAt, building: null, errors, notIndexed };
  } catch (err) {
    // The cluster itself is gone or unreadable: keep the previous index, say why.
    e.status = { ...e.status, building: null, errors: [{ store: "(all)", error: (err as Error).message }] };
    throw err;
  }
}

export function sessionIndexStatus(cluster: string): TIndexStatus {
  return entry(cluster).status;
}

/**
 * A page of the cluster's sessions from the index. The first query of a cluster starts its scan and
 * answers at once with no rows and `building` set: the caller polls until `scannedAt` appears.
 */
export function querySessions(
  db: TDb,
  cluster: string,
  query: TSessionQueryInput,
): TSessionPage & { status: TIndexStatus; facets: TFacets } {
  const e = entry(cluster);
  if (!e.table) {
    void rebuildSessionIndex(db, cluster).catch(() => undefined);
    return { rows: [], matched: 0, total: 0, status: e.status, facets: { stores: [], nodes: [], routes: [] } };
  }
  const t = e.table;
  const facets = { stores: t.stores, nodes: [...new Set(t.nodes.map(nodeName))].sort(), routes: [...t.routes].sort() };
  return { ...querySessionIndex(t, query), status: e.status, facets };
}

/** Background refresh: every cluster that has stores is rescanned every `intervalS` seconds, one at a time. */
export function startSessionIndexer(db: TDb, intervalS: number): () => void {
  if (intervalS <= 0) return () => undefined;
  let stopped = false;
  const tick = async () => {
    const clusters = await db.cluster.findMany({ where: { stores: { some: {} } }, select: { name: true } });
    for (const c of clusters) {
      if (stopped) return;
      await rebuildSessionIndex(db, c.name).catch((err) =>
        logger.warn({ cluster: c.name, err: (err as Error).message }, "session index scan failed"),
      );
    }
  };
  const timer = setInterval(() => void tick(), intervalS * 1000);
  timer.unref();
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** For tests: forget every index. */
export function resetSessionIndexes(): void {
  indexes.clear();
}

// Counted once per index (the index is replaced whole, never changed): a scrape reads the counts.
const routeCounts = new WeakMap<TSessionIndexTable, Map<string, number>>();

/**
 * Sessions per route (jvmRoute) in the cluster's index, with when that index was scanned; null before
 * its first scan. For /metrics: no store is read, the counts come from the last scan.
 */
export function sessionCountsByRoute(
  cluster: string,
): { scannedAt: number; total: number; byRoute: ReadonlyMap<string, number> } | null {
  const t = indexes.get(cluster)?.table;
  if (!t) return null;
  let byRoute = routeCounts.get(t);
  if (!byRoute) {
    const perIndex = new Uint32Array(t.routes.length);
    for (let i = 0; i < t.route.length; i++) perIndex[t.route[i]!]!++;
    byRoute = new Map(t.routes.map((r, i) => [r, perIndex[i]!]));
    routeCounts.set(t, byRoute);
  }
  return { scannedAt: t.scannedAt, total: t.ids.length, byRoute };
}
