import { openRedis } from "@/server/adapters/stores/redis/connection";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import {
  classifyRedisKey,
  redisKeysForSession,
  type TRedisKeyRole,
  type TRedisLayout,
  type TRedisLayoutOptions,
} from "@/server/adapters/stores/redis/layouts";
import type { TExpiredKey, TExpireOutcome } from "@/server/adapters/stores/store-operations";

/**
 * Removes the keys the id maps to (the session, Redisson's notified-nodes set, Spring's shadow
 * `expires:` key) on every node. Spring's expiration buckets and principal index are left to Spring: it
 * cleans them on the SessionDeletedEvent that deleting the shadow key fires (docs/reference/session-stores.md §4).
 *
 * Only keys the layout itself reads back as this session's are touched, and only with the Redis type
 * the layout writes: an "id" such as `expirations` (Spring's bucket index) or any key name under
 * jcoleman's prefix-less layout is not a session, and is reported not found, never deleted.
 */
const LAYOUT_TYPES: Record<TRedisLayout, Partial<Record<TRedisKeyRole, string>>> = {
  "tomcat-redis-session-manager": { session: "string" },
  redisson: { session: "hash", "notified-nodes": "set" },
  "spring-session": { session: "hash", expires: "string" },
};

function sessionKeys(o: TRedisLayoutOptions & { layout: TRedisLayout }, sessionId: string) {
  return redisKeysForSession(o.layout, sessionId, o).flatMap((key) => {
    const c = classifyRedisKey(o.layout, key, o);
    const type = LAYOUT_TYPES[o.layout][c.role];
    return c.sessionId === sessionId && type ? [{ key, type }] : [];
  });
}

export async function expireRedisSession(
  store: TStoreConfig,
  o: TRedisLayoutOptions & { layout: TRedisLayout; db: number },
  sessionId: string,
  dryRun: boolean,
): Promise<TExpireOutcome> {
  const keys = sessionKeys(o, sessionId);
  if (keys.length === 0) return { keys: [] };
  const found = await Promise.all(
    store.nodes.map(async (node): Promise<TExpiredKey[]> => {
      const redis = openRedis(`redis://${node.host}:${node.port}`, {
        db: o.db,
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        connectTimeout: 5_000,
        commandTimeout: 5_000,
      });
      try {
        const types = (await redis.pipeline(keys.map((k) => ["type", k.key])).exec()) ?? [];
        const present = keys.filter((k, i) => {
          const [err, type] = types[i] ?? [null, "none"];
          if (err) throw err;
          return type === k.type;
        });
        // UNLINK: a big session hash is freed off the main thread; the key is gone at once either way.
        if (!dryRun && present.length > 0) {
          const replies = (await redis.pipeline(present.map((k) => ["unlink", k.key])).exec()) ?? [];
          for (const [err] of replies) if (err) throw err;
        }
        return present.map((k) => ({ node: node.id, key: k.key }));
      } finally {
        redis.disconnect();
      }
    }),
  );
  return { keys: found.flat() };
}
