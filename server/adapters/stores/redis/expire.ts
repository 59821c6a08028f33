import { Redis } from "ioredis";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import {
  redisKeysForSession,
  type TRedisLayout,
  type TRedisLayoutOptions,
} from "@/server/adapters/stores/redis/layouts";
import type { TExpiredKey, TExpireOutcome } from "@/server/adapters/stores/store-operations";

/**
 * Removes the keys the id maps to (the session, Redisson's notified-nodes set, Spring's shadow
 * `expires:` key) on every node. Spring's expiration buckets and principal index are left to Spring: it
 * cleans them on the SessionDeletedEvent that deleting the shadow key fires (docs/reference/session-stores.md §4).
 */
export async function expireRedisSession(
  store: TStoreConfig,
  o: TRedisLayoutOptions & { layout: TRedisLayout; db: number },
  sessionId: string,
  dryRun: boolean,
): Promise<TExpireOutcome> {
  const keys = redisKeysForSession(o.layout, sessionId, o);
  const found = await Promise.all(
    store.nodes.map(async (node): Promise<TExpiredKey[]> => {
      const redis = new Redis(`redis://${node.host}:${node.port}`, {
        db: o.db,
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        connectTimeout: 5_000,
        commandTimeout: 5_000,
      });
      try {
        const p = redis.pipeline();
        // UNLINK: a big session hash is freed off the main thread; the key is gone at once either way.
        for (const k of keys) {
          if (dryRun) p.exists(k);
          else p.unlink(k);
        }
        const replies = (await p.exec()) ?? [];
        return keys.flatMap((key, i) => {
          const [err, n] = replies[i] ?? [null, 0];
          if (err) throw err;
          return Number(n) > 0 ? [{ node: node.id, key }] : [];
        });
      } finally {
        redis.disconnect();
      }
    }),
  );
  return { keys: found.flat() };
}
