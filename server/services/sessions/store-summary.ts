import type { z } from "zod";
import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import { sessionScans, type TStoreIndexView } from "@/server/services/sessions/session-index/store-scans";
import { storeScanStatus } from "@/server/services/sessions/session-index/scan-status";
import { countsOnlySegment } from "@/server/services/sessions/session-index/shared-index";
import { listStoreNodeLive, type TStoreNodeLive } from "@/server/store-poller/store-live-state";
import { sessionsOnNode } from "@/server/store-poller/poll-store-node";
import type { ZStoreNodeView, ZStoreSummary } from "@/server/services/sessions/sessions-schema";

type TStoreSummary = z.input<typeof ZStoreSummary>;
type TStoreNodeView = z.input<typeof ZStoreNodeView>;

const WORST = ["ok", "unknown", "warning", "down"] as const;

/** One node as the panels show it: the store poller's last reading and verdict, and the index's count. */
function nodeView(
  v: TStoreIndexView,
  node: { id: string; host: string; port: number },
  live: TStoreNodeLive | undefined,
): TStoreNodeView {
  const r = live?.reading ?? null;
  return {
    node: node.id,
    host: node.host,
    port: node.port,
    state: live?.state ?? "unknown",
    warnings: live?.warnings ?? [],
    up: live?.up ?? null,
    error: live?.error ?? null,
    lastPollAt: live?.lastPollAt ?? null,
    lastGoodAt: live?.lastGoodAt ?? null,
    pollIntervalMs: v.ref.pollIntervalMs,
    version: r?.version ?? null,
    uptimeSeconds: r?.uptimeSeconds ?? null,
    items: r?.items ?? null,
    memoryUsedBytes: r?.memoryUsedBytes ?? null,
    memoryLimitBytes: r?.memoryLimitBytes ?? null,
    connections: r?.connections ?? null,
    hitRatio: live?.hitRatio ?? null,
    evictions: r?.counters.evictions ?? null,
    evictionsPerSec: live?.rates?.evictionsPerSec ?? null,
    opsPerSec: live?.rates?.commandsPerSec ?? live?.rates?.createdPerSec ?? null,
    sessions: v.scanned ? sessionsOnNode(v.segment, node.id, Date.now()) : null,
    fallback: getStoreAdapter(v.ref.kind).fallbackNode?.(v.ref, node.id) ?? null,
    details: r?.details ?? {},
  };
}

/**
 * Every store of the cluster: its nodes' live stats and health (store poller), and its sessions per
 * member and per node from the session index, with how old that index is. Never scans: `viewed` says the
 * caller is the sessions page, whose looking keeps the index current; the dashboard's panel does not.
 */
export async function summarizeStores(db: TDb, cluster: string, opts: { viewed: boolean }): Promise<TStoreSummary[]> {
  const scans = sessionScans();
  if (opts.viewed) await scans.noteCountsViewed(db, cluster);
  // Where the index's keeper (another instance) scanned more recently, its shared counts stand in.
  const views = (await scans.snapshot(db, cluster)).map((v) =>
    v.shared ? { ...v, segment: countsOnlySegment(v.ref.name, v.shared), scanned: true } : v,
  );
  const live = new Map(
    listStoreNodeLive(views[0]?.ref.clusterId).map((l) => [`${l.storeId}\u0000${l.node}`, l] as const),
  );
  return views.map((v): TStoreSummary => {
    const adapter = getStoreAdapter(v.ref.kind);
    const seg = v.segment;
    const nodes = v.ref.nodes.map((n) => nodeView(v, n, live.get(`${v.ref.id}\u0000${n.id}`)));
    const record = (names: string[], counts: Uint32Array) =>
      Object.fromEntries(names.flatMap((name, i) => (counts[i] ? [[name, counts[i]!]] : [])));
    return {
      store: v.ref.name,
      kind: v.ref.kind,
      kindLabel: adapter.label,
      capabilities: adapter.capabilities,
      counts:
        v.scanned && v.indexed
          ? {
              store: v.ref.name,
              kind: v.ref.kind,
              total: seg.counts.total,
              perNode: record(seg.nodes, seg.counts.perNode),
              perRoute: record(seg.routes, seg.counts.perRoute),
              keysPerNode: Object.fromEntries(Object.entries(seg.nodeScans).map(([n, s]) => [n, s.keys])),
              scannedAt: new Date(seg.scanStartedAt),
              durationMs: seg.scanFinishedAt - seg.scanStartedAt,
              scannedBy: v.shared?.instance ?? null,
            }
          : null,
      scan: storeScanStatus(v),
      nodes,
      state: nodes.reduce<(typeof WORST)[number]>(
        (w, n) => (WORST.indexOf(n.state) > WORST.indexOf(w) ? n.state : w),
        "ok",
      ),
    };
  });
}
