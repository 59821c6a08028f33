import { Redis } from "ioredis";
import type { TSessionDetail, TStoreConfig } from "@/server/adapters/stores/adapter";
import { decodeJcolemanSessionValue } from "@/server/adapters/stores/java-serialization/decode";
import { standardSessionDetail } from "@/server/adapters/stores/java-serialization/session-detail";
import {
  isJcolemanPlaceholder,
  redisSessionKey,
  type TRedisLayout,
  type TRedisLayoutOptions,
} from "@/server/adapters/stores/redis/layouts";

/**
 * One session's content where the layout's value format is known: jcoleman tomcat-redis-session-manager
 * (docs/reference/session-stores.md §2: metadata object + `StandardSession.writeObjectData`). Redisson's hash values
 * use the client codec (Kryo5 by default) and Spring's attributes the app's serializer: not decoded (null). Reads the
 * node(s) in order and decodes the first copy found.
 */
export async function readRedisSession(
  store: TStoreConfig,
  o: TRedisLayoutOptions & { layout: TRedisLayout; db: number },
  sessionId: string,
): Promise<TSessionDetail | null> {
  if (o.layout !== "tomcat-redis-session-manager") return null;
  const key = redisSessionKey(o.layout, sessionId, o);
  for (const node of store.nodes) {
    const redis = new Redis(`redis://${node.host}:${node.port}`, {
      db: o.db,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      enableOfflineQueue: false,
    });
    let value: Buffer | null;
    try {
      await redis.connect();
      value = await redis.getBuffer(key);
    } finally {
      redis.disconnect();
    }
    if (!value) continue;
    if (isJcolemanPlaceholder(value)) {
      return standardSessionDetail(node.id, key, () => {
        throw new Error('the id is claimed (SETNX "null" placeholder) but its session was never written');
      });
    }
    return standardSessionDetail(node.id, key, () => decodeJcolemanSessionValue(value));
  }
  return null;
}
