import type { TStoreIndexView } from "@/server/services/sessions/session-index/store-scans";
import type { TIndexStatus, TStoreScanStatus } from "@/server/services/sessions/session-index/session-index-schema";

/** How one store's index stands: age, scan in flight, and every node whose data is missing or old. */
export function storeScanStatus(v: TStoreIndexView): TStoreScanStatus {
  const incomplete: TStoreScanStatus["incomplete"] = [];
  const runningNodes = v.running?.nodes ?? {};
  for (const node of v.ref.nodes) {
    const now = runningNodes[node.id];
    if (now?.state === "busy") {
      incomplete.push({
        node: node.id,
        reason: now.note ?? `${node.id} busy, retrying`,
        since: v.segment.nodeScans[node.id]?.scannedAt ?? null,
        retrying: true,
      });
      continue;
    }
    const last = v.scanned ? v.segment.nodeScans[node.id] : undefined;
    if (last?.error)
      incomplete.push({
        node: node.id,
        reason: last.scannedAt
          ? `${last.error} — its sessions are from the scan of ${new Date(last.scannedAt).toISOString()}`
          : `${last.error} — its sessions are missing`,
        since: last.scannedAt,
        retrying: Boolean(v.running),
      });
  }
  return {
    store: v.ref.name,
    kind: v.ref.kind,
    indexed: v.indexed,
    scannedAt: v.scanned ? v.segment.scanStartedAt : null,
    durationMs: v.scanned ? v.segment.scanFinishedAt - v.segment.scanStartedAt : null,
    sessions: v.segment.counts.total,
    building: v.running
      ? {
          startedAt: v.running.startedAt,
          scanned: v.running.scanned,
          nodes: Object.entries(v.running.nodes).map(([node, n]) => ({ node, state: n.state, note: n.note })),
        }
      : null,
    incomplete,
    error: v.error,
  };
}

/** The cluster's index status: the oldest store's age, scans in flight, and everything missing, in words. */
export function clusterIndexStatus(views: TStoreIndexView[]): TIndexStatus {
  const stores = views.map(storeScanStatus);
  const indexed = stores.filter((s) => s.indexed);
  const scanned = indexed.filter((s) => s.scannedAt !== null);
  const building = indexed.filter((s) => s.building);
  const errors: TIndexStatus["errors"] = [];
  for (const s of indexed) {
    if (s.error) errors.push({ store: s.store, error: `${s.error} — its sessions are missing or out of date` });
    for (const n of s.incomplete) errors.push({ store: s.store, error: `incomplete: ${n.reason}` });
  }
  return {
    scannedAt:
      scanned.length === indexed.length && scanned.length > 0 ? Math.min(...scanned.map((s) => s.scannedAt!)) : null,
    durationMs: scanned.length ? Math.max(...scanned.map((s) => s.durationMs ?? 0)) : null,
    building: building.length
      ? {
          startedAt: Math.min(...building.map((s) => s.building!.startedAt)),
          scanned: building.reduce((a, s) => a + s.building!.scanned, 0),
        }
      : null,
    errors,
    notIndexed: stores.filter((s) => !s.indexed).map((s) => s.store),
    stores,
  };
}
