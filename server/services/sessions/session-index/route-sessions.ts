import type { TRouteSessions } from "@/server/adapters/stores/adapter";
import { IdListWriter } from "@/server/adapters/stores/scan-batch";
import { CHUNK } from "@/server/services/sessions/session-index/id-column";
import type { TStoreSegment } from "@/server/services/sessions/session-index/segment";

/** Nothing to check (kinds that read their own list, or a route the index has not seen). */
export const NO_ROUTE_SESSIONS: TRouteSessions = {
  ids: new IdListWriter().take(),
  node: new Uint16Array(0),
  nodeNames: [],
};

/**
 * The index's sessions of one route, for a targeted check: their id bytes copied out of the index (no
 * string per id) with the node each was read on.
 */
export function routeSessions(seg: TStoreSegment, route: string): TRouteSessions {
  const r = seg.routes.indexOf(route);
  if (r < 0) return { ...NO_ROUTE_SESSIONS, nodeNames: seg.nodes };
  // Two passes over the route column (cheap, sequential): sizes first, then one exact copy.
  let count = 0;
  let size = 0;
  for (let i = 0; i < seg.ids.length; i++)
    if (seg.route[i] === r) {
      count++;
      size += seg.ids.lengthOf(i);
    }
  const bytes = Buffer.allocUnsafe(size);
  const starts = new Uint32Array(count + 1);
  const node = new Uint16Array(count);
  let n = 0;
  let at = 0;
  for (let c = 0; c < seg.ids.chunks.length; c++) {
    const chunk = seg.ids.chunks[c]!;
    const base = c * CHUNK;
    const inChunk = chunk.starts.length - 1;
    for (let k = 0; k < inChunk; k++) {
      if (seg.route[base + k] !== r) continue;
      for (let b = chunk.starts[k]!; b < chunk.starts[k + 1]!; b++) bytes[at++] = chunk.bytes[b]!;
      starts[++n] = at;
      node[n - 1] = seg.node[base + k]!;
    }
  }
  return { ids: { bytes, starts, count }, node, nodeNames: seg.nodes };
}
