import { emptySegment, type TNodeScan, type TStoreSegment } from "@/server/services/sessions/session-index/segment";

/**
 * What several console instances share of one store's index: the counts of the last scan the keeper of
 * the cluster's index (the instance holding `sessions:<clusterId>`) made, without the ids. The other
 * instances answer counts and the stores' panels from it, and say whose scan it was and how old; what
 * needs the ids (the session table, safe-to-stop, re-homing) they ask of the keeper (index-keeper.ts).
 */
export interface TSharedStoreIndex {
  /** The instance that made the scan. */
  instance: string;
  scanStartedAt: number;
  scanFinishedAt: number;
  nodes: string[];
  routes: string[];
  total: number;
  perNode: number[];
  perRoute: number[];
  perNodeRoute: number[];
  unbackedPerNode: number[];
  sawBackups: boolean;
  nodeScans: Record<string, TNodeScan>;
}

export function shareSegment(instance: string, s: TStoreSegment): TSharedStoreIndex {
  return {
    instance,
    scanStartedAt: s.scanStartedAt,
    scanFinishedAt: s.scanFinishedAt,
    nodes: [...s.nodes],
    routes: [...s.routes],
    total: s.counts.total,
    perNode: [...s.counts.perNode],
    perRoute: [...s.counts.perRoute],
    perNodeRoute: [...s.counts.perNodeRoute],
    unbackedPerNode: [...s.counts.unbackedPerNode],
    sawBackups: s.sawBackups,
    nodeScans: s.nodeScans,
  };
}

/**
 * A segment with the shared counts and no ids: for the answers that read counts only. It must never
 * stand in for an index where ids are looked at (a member's sessions would read as none).
 */
export function countsOnlySegment(store: string, shared: TSharedStoreIndex): TStoreSegment {
  const base = emptySegment(store, shared.scanStartedAt);
  return {
    ...base,
    nodes: shared.nodes,
    routes: shared.routes,
    sawBackups: shared.sawBackups,
    nodeScans: shared.nodeScans,
    scanStartedAt: shared.scanStartedAt,
    scanFinishedAt: shared.scanFinishedAt,
    counts: {
      total: shared.total,
      perNode: Uint32Array.from(shared.perNode),
      perRoute: Uint32Array.from(shared.perRoute),
      perNodeRoute: Uint32Array.from(shared.perNodeRoute),
      unbackedPerNode: Uint32Array.from(shared.unbackedPerNode),
    },
  };
}
