import type { TSessionCounts, TSessionRow } from "@/server/adapters/stores/adapter";
import type { TStoredKey } from "@/server/adapters/stores/types";

/** Accumulates counts from a stream of key batches; `sessionOf` says which keys are live sessions and their route. */
export async function countFromBatches(
  store: string,
  kind: string,
  batches: AsyncIterable<TStoredKey[]>,
  sessionOf: (key: TStoredKey) => { route: string | null } | null,
): Promise<TSessionCounts> {
  const started = Date.now();
  const counts: TSessionCounts = {
    store,
    kind,
    total: 0,
    perNode: {},
    perRoute: {},
    keysPerNode: {},
    scannedAt: new Date(),
    durationMs: 0,
  };
  for await (const batch of batches) {
    for (const k of batch) {
      counts.keysPerNode[k.node] = (counts.keysPerNode[k.node] ?? 0) + 1;
      const s = sessionOf(k);
      if (!s) continue;
      counts.total++;
      counts.perNode[k.node] = (counts.perNode[k.node] ?? 0) + 1;
      const route = s.route ?? "(none)";
      counts.perRoute[route] = (counts.perRoute[route] ?? 0) + 1;
    }
  }
  counts.durationMs = Date.now() - started;
  return counts;
}

/** Turns a stream of key batches into session rows; `sessionOf` picks the live-session keys (as for counting). */
export async function* rowsFromBatches(
  batches: AsyncIterable<TStoredKey[]>,
  sessionOf: (key: TStoredKey) => { sessionId: string; route: string | null } | null,
): AsyncGenerator<TSessionRow[]> {
  for await (const batch of batches) {
    const rows: TSessionRow[] = [];
    for (const k of batch) {
      const s = sessionOf(k);
      if (s)
        rows.push({
          sessionId: s.sessionId,
          route: s.route,
          node: k.node,
          ttlSeconds: k.ttlSeconds,
          size: k.size,
          lastAccess: k.lastAccess,
        });
    }
    if (rows.length > 0) yield rows;
  }
}
