import { Redis } from "ioredis";
import { z } from "zod";
import type { TSessionCopy, TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { countFromBatches, rowsFromBatches } from "@/server/adapters/stores/count";
import { enumerateRedisKeyBatches } from "@/server/adapters/stores/redis/enumerate";
import {
  classifyRedisKey,
  REDIS_LAYOUTS,
  redisKeysForSession,
  redisScanPatterns,
} from "@/server/adapters/stores/redis/layouts";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import { routeOfSessionId } from "@/server/domain/session-id";
import type { TStoreNode, TStoreNodeStats } from "@/server/adapters/stores/types";
import type { TStoredKey } from "@/server/adapters/stores/types";
import { expireRedisSession } from "@/server/adapters/stores/redis/expire";
import { openRedisNodeCopier } from "@/server/adapters/stores/redis/replace-node";
import { readRedisSession } from "@/server/adapters/stores/redis/read-session";
import { AppError } from "@/server/errors";

const ZRedisOptions = z.object({
  layout: z.enum(REDIS_LAYOUTS),
  keyPrefix: z.string().max(200).optional(),
  namespace: z.string().max(200).optional(),
  db: z.number().int().min(0).max(15).default(0),
});
type TRedisOptions = z.infer<typeof ZRedisOptions>;

const options = (store: TStoreConfig): TRedisOptions => ZRedisOptions.parse(store.options);
const urlOf = (n: TStoreNode) => `redis://${n.host}:${n.port}`;

async function* scanAll(store: TStoreConfig): AsyncGenerator<TStoredKey[]> {
  const o = options(store);
  for (const node of store.nodes) {
    for (const match of redisScanPatterns(o.layout, o)) {
      yield* enumerateRedisKeyBatches(urlOf(node), { match, db: o.db, nodeId: node.id, size: "none" });
    }
  }
}

/** The layout's session key (not spring-session's expires/index keys) names one live session. */
function redisSessionOf(o: TRedisOptions) {
  return (k: TStoredKey): { sessionId: string; route: string | null } | null => {
    const c = classifyRedisKey(o.layout, k.key, o);
    return c.role === "session" && c.sessionId
      ? { sessionId: c.sessionId, route: routeOfSessionId(c.sessionId) }
      : null;
  };
}

/** Redis, in the layout of one of three session managers: see ../shared/reference/session-stores.md §2–§4. */
export const redisStoreAdapter: TStoreAdapter = {
  kind: "redis",
  label: "Redis (tomcat-redis-session-manager, Redisson or Spring Session layout)",
  parseOptions: (raw) => parseStoreOptions(ZRedisOptions, raw),

  countSessions(store) {
    return countFromBatches(store.name, this.kind, scanAll(store), redisSessionOf(options(store)));
  },

  enumerateSessions(store) {
    return rowsFromBatches(scanAll(store), redisSessionOf(options(store)));
  },

  /** Every key the id maps to, on every node (a session lives on whichever endpoint the app points at). */
  async lookup(store, sessionId) {
    const o = options(store);
    const keys = redisKeysForSession(o.layout, sessionId, o);
    const copies: TSessionCopy[] = [];
    await Promise.all(
      store.nodes.map(async (node) => {
        const redis = new Redis(urlOf(node), {
          db: o.db,
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          enableOfflineQueue: false,
        });
        try {
          await redis.connect();
          for (const key of keys) {
            const [ttl, size] = await Promise.all([
              redis.pttl(key),
              redis.memory("USAGE", key) as Promise<number | null>,
            ]);
            if (ttl === -2) continue; // no such key
            const c = classifyRedisKey(o.layout, key, o);
            copies.push({
              store: store.name,
              node: node.id,
              key,
              role: c.role === "expires" ? "expires" : "session",
              ttlSeconds: ttl < 0 ? null : Math.ceil(ttl / 1000),
              size: size ?? 0,
            });
          }
        } finally {
          redis.disconnect();
        }
      }),
    );
    return copies;
  },

  expireSession: (store, sessionId, dryRun) => expireRedisSession(store, options(store), sessionId, dryRun),

  openNodeCopier(store, nodeId, target) {
    const source = store.nodes.find((n) => n.id === nodeId);
    if (!source)
      throw new AppError(
        "NOT_FOUND",
        `Store ${store.name} has no node "${nodeId}" (nodes: ${store.nodes.map((n) => n.id).join(", ")})`,
      );
    return openRedisNodeCopier(store, options(store), source, target);
  },

  async nodeStats(store) {
    const o = options(store);
    return Promise.all(
      store.nodes.map(async (node): Promise<TStoreNodeStats> => {
        const redis = new Redis(urlOf(node), {
          db: o.db,
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          enableOfflineQueue: false,
        });
        try {
          await redis.connect();
          const info = parseInfo(await redis.info());
          const keyspace = /keys=(\d+)/.exec(info[`db${o.db}`] ?? "")?.[1];
          const maxmemory = Number(info.maxmemory ?? 0);
          return {
            node: node.id,
            items: Number(keyspace ?? 0),
            bytes: Number(info.used_memory ?? 0),
            evictions: Number(info.evicted_keys ?? 0),
            limitBytes: maxmemory > 0 ? maxmemory : null,
            version: info.redis_version ?? "",
            serverTime: Math.floor(Date.now() / 1000),
          };
        } finally {
          redis.disconnect();
        }
      }),
    );
  },

  /** Decoded where the layout's values are Java serialization (tomcat-redis-session-manager); null otherwise. */
  readSession: (store, sessionId) => readRedisSession(store, options(store), sessionId),
};

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
