/** Session index segments for unit tests, built the way a scan builds them (SegmentBuilder), from rows per node. */
import { ScanBatchWriter } from "@/server/adapters/stores/scan-batch";
import { SegmentBuilder } from "@/server/services/sessions/session-index/segment-builder";
import type { TStoreSegment } from "@/server/services/sessions/session-index/segment";

export const SEGMENT_NOW = 1_800_000_000_000;
const nowS = SEGMENT_NOW / 1000;

export type TSegmentRow = { id: string; node?: string; ttl?: number | null; size?: number; lastAccess?: number | null };

/** A segment as a scan at `at` would build it (default node n1, TTL 3600 s, 100 B, accessed 10 s before). */
export function buildTestSegment(
  store: string,
  rows: TSegmentRow[],
  prev: TStoreSegment | null = null,
  at = SEGMENT_NOW,
): TStoreSegment {
  const b = new SegmentBuilder(store, prev, at);
  const byNode = new Map<string, TSegmentRow[]>();
  for (const r of rows) {
    const list = byNode.get(r.node ?? "n1") ?? [];
    list.push(r);
    byNode.set(r.node ?? "n1", list);
  }
  for (const [node, list] of byNode) {
    const w = new ScanBatchWriter();
    for (const r of list)
      w.addSessionId(
        r.id,
        r.ttl === undefined ? 3600 : r.ttl,
        r.size ?? 100,
        r.lastAccess === undefined ? nowS - 10 : r.lastAccess,
      );
    w.countKeys(list.length);
    b.add(node, w.take(), at);
    b.completeNode(node);
  }
  return b.commit(at);
}
