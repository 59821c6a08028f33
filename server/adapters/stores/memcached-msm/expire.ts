import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { isValidTextKey } from "@/server/adapters/stores/memcached-text/protocol";
import {
  backupKey,
  backupValidityKey,
  lockKey,
  sessionKey,
  validityKey,
} from "@/server/adapters/stores/memcached-msm/keys";
import type { TExpiredKey, TExpireOutcome } from "@/server/adapters/stores/store-operations";

/**
 * Expires one MSM session the way MSM's own `expireSession` does in non-sticky mode (docs/reference/session-stores.md
 * §1.4: `P+ID`, `validity:`, `bak:`, `bak:validity:`), plus a held `lock:`. Every node is asked, not only
 * the primary and next(primary): after a node outage the backup pair sits on whichever node was next
 * *available* then, and a copy left anywhere would let MSM restore the session.
 */
export async function expireMsmSession(
  store: TStoreConfig,
  prefix: string,
  sessionId: string,
  dryRun: boolean,
): Promise<TExpireOutcome> {
  const keys = [sessionKey, validityKey, lockKey, backupKey, backupValidityKey].map((f) => f(sessionId, prefix));
  // An id that cannot even form a key (spaces, too long) is not in this store.
  if (!keys.every(isValidTextKey)) return { keys: [] };
  const found = await Promise.all(
    store.nodes.map(async (node): Promise<TExpiredKey[]> => {
      const client = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 5_000 });
      try {
        const hits = await Promise.all(
          keys.map(async (key) =>
            (dryRun ? (await client.metaGet(key)) !== null : await client.metaDelete(key)) ? key : null,
          ),
        );
        return hits.filter((k): k is string => k !== null).map((key) => ({ node: node.id, key }));
      } finally {
        client.close();
      }
    }),
  );
  return { keys: found.flat() };
}
