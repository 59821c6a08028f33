import type { TSessionCounts } from "@/server/adapters/stores/adapter";
import type { TStoredKey } from "@/server/adapters/stores/types";

/** Accumulates counts from a stream of key batches; `sessionOf` says which keys are live sessions and their route. */
export async function countFromBatches(
  store: string,
  kind: string,
  batches: AsyncIterable<TStoredKey[]>,
  sessionOf: (key: TStoredKey) => { route: string | null } | null,
): Promise<TSessionCounts> {
  const started = Date.now();
  const counts: TSessionCounts = { store, kind, total: 0, perNode: {}, perRoute: {}, keysPerNode: {}, scannedAt: new Date(), durationMs: 0 };
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
