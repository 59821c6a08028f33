import type { TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { idAt } from "@/server/adapters/stores/scan-batch";

export interface TScannedRow {
  sessionId: string;
  node: string;
  ttlSeconds: number | null;
  size: number;
  lastAccess: number | null;
}

/** A store's scan as plain rows (every node, one after another), for assertions; never for a million. */
export async function scanRows(
  adapter: TStoreAdapter,
  store: TStoreConfig,
): Promise<{ rows: TScannedRow[]; backups: string[]; keysPerNode: Record<string, number>; batchSizes: number[] }> {
  const rows: TScannedRow[] = [];
  const backups: string[] = [];
  const keysPerNode: Record<string, number> = {};
  const batchSizes: number[] = [];
  for (const node of store.nodes) {
    keysPerNode[node.id] = 0;
    for await (const b of adapter.scanNode!(store, node)) {
      batchSizes.push(b.sessions.count);
      keysPerNode[node.id]! += b.keys;
      for (let i = 0; i < b.sessions.count; i++)
        rows.push({
          sessionId: idAt(b.sessions, i),
          node: node.id,
          ttlSeconds: b.ttl[i]! < 0 ? null : b.ttl[i]!,
          size: b.size[i]!,
          lastAccess: b.lastAccess[i] === 0 ? null : b.lastAccess[i]!,
        });
      if (b.backups) for (let i = 0; i < b.backups.count; i++) backups.push(idAt(b.backups, i));
    }
  }
  return { rows, backups, keysPerNode, batchSizes };
}
