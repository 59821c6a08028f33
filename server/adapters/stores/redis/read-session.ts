import type { TSessionDetail } from "@/server/adapters/stores/adapter";
import { decodeJcolemanSessionValue } from "@/server/adapters/stores/java-serialization/decode";
import { standardSessionDetail } from "@/server/adapters/stores/java-serialization/session-detail";
import { isJcolemanPlaceholder } from "@/server/adapters/stores/redis/layouts";

/**
 * One session's content where the layout's value format is known: jcoleman tomcat-redis-session-manager
 * (docs/reference/session-stores.md §2: metadata object + `StandardSession.writeObjectData`). Redisson's
 * hash values use the client codec (Kryo5 by default) and Spring's attributes the app's serializer: not
 * decoded.
 */
export function decodeRedisSession(node: string, key: string, value: Buffer): TSessionDetail {
  if (isJcolemanPlaceholder(value)) {
    return standardSessionDetail(node, key, () => {
      throw new Error('the id is claimed (SETNX "null" placeholder) but its session was never written');
    });
  }
  return standardSessionDetail(node, key, () => decodeJcolemanSessionValue(value));
}
