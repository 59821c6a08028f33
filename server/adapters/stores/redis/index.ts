import type { Redis } from "ioredis";
import { z } from "zod";
import { openRedis } from "@/server/adapters/stores/redis/connection";
import type { TRouteVerification, TSessionCopy, TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { scanKeyBatches, type TRedisScanClient } from "@/server/adapters/stores/redis/enumerate";
import {
  classifyRedisKey,
  REDIS_LAYOUTS,
  redisKeysForSession,
  redisSessionKey,
  redisSessionScanPatterns,
} from "@/server/adapters/stores/redis/layouts";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { ScanBatchWriter, type TScanBatch } from "@/server/adapters/stores/scan-batch";
import { expireRedisSession } from "@/server/adapters/stores/redis/expire";
import { openRedisNodeCopier } from "@/server/adapters/stores/redis/replace-node";
import { decodeRedisSession } from "@/server/adapters/stores/redis/read-session";
import { parseRedisInfo, redisReading } from "@/server/adapters/stores/redis/node-stats";
import { AppError } from "@/server/errors";
import { idsByNode } from "@/server/adapters/stores/scan-batch";

const ZRedisOptions = z.object({
  layout: z.enum(REDIS_LAYOUTS),
  keyPrefix: z.string().max(200).optional(),
  namespace: z.string().max(200).optional(),
  db: z.number().int().min(0).max(15).default(0),
});
type TRedisOptions = z.infer<typeof ZRedisOptions>;

const options = (store: TStoreConfig): TRedisOptions => ZRedisOptions.parse(store.options);

/** Lookups per pipeline in a targeted check. */
const VERIFY_CHUNK = 5_000;

/** Every connection goes through openRedis: its reply size limit (8 MiB) holds for scans, checks and stats polls alike. */
function connect(node: TStoreNode, db: number, timeoutMs = 2_000): Redis {
  return openRedis(`redis://${node.host}:${node.port}`, {
    db,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: true,
    // No INFO before the first command: a stats poll would read and parse INFO twice. A server still
    // loading its data answers the command itself with LOADING, which is reported as the error.
    enableReadyCheck: false,
  });
}

async function withRedis<T>(node: TStoreNode, db: number, timeoutMs: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const redis = connect(node, db, timeoutMs);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** One node's session keys: SCAN of the layout's session pattern, remaining TTL pipelined per batch. */
async function* scanRedisNode(store: TStoreConfig, node: TStoreNode): AsyncGenerator<TScanBatch> {
  const o = options(store);
  const redis = connect(node, o.db, 10_000);
  try {
    await redis.connect();
    const writer = new ScanBatchWriter();
    for (const match of redisSessionScanPatterns(o.layout, o)) {
      for await (const keys of scanKeyBatches(redis as unknown as TRedisScanClient, node.id, { match, size: "none" })) {
        writer.countKeys(keys.length);
        for (const k of keys) {
          const c = classifyRedisKey(o.layout, k.key, o);
          if (c.role === "session" && c.sessionId) writer.addSessionId(c.sessionId, k.ttlSeconds, 0, null);
        }
        yield writer.take();
      }
    }
  } finally {
    redis.disconnect();
  }
}

/** Redis, in the layout of one of three session managers: see docs/reference/session-stores.md §2–§4. */
export const redisStoreAdapter: TStoreAdapter = {
  kind: "redis",
  label: "Redis (tomcat-redis-session-manager, Redisson or Spring Session layout)",
  capabilities: { enumerate: true, stats: true, lookup: true, evacuateNode: false, replaceNode: true, expire: true },
  verifyRouteFromIndex: true,
  keepsBackupCopies: false,
  parseOptions: (raw) => parseStoreOptions(ZRedisOptions, raw),

  scanNode: (store, node) => scanRedisNode(store, node),

  readNodeStats: (store, node, timeoutMs) =>
    withRedis(node, options(store).db, timeoutMs, async (r) =>
      redisReading(parseRedisInfo(await r.info()), options(store).db),
    ),

  /**
   * Every key the id maps to, on every node (a session lives on whichever endpoint the app points at),
   * with TTL and size in one pipeline per node; the session value is fetched in the same pipeline where
   * the layout's format is decodable, and decoded from there.
   */
  async locate(store, sessionId) {
    const o = options(store);
    const keys = redisKeysForSession(o.layout, sessionId, o);
    const main = redisSessionKey(o.layout, sessionId, o);
    const decodable = o.layout === "tomcat-redis-session-manager";
    const copies: TSessionCopy[] = [];
    let detail: Awaited<ReturnType<TStoreAdapter["locate"]>>["detail"] = null;
    await Promise.all(
      store.nodes.map((node) =>
        withRedis(node, o.db, 2_000, async (redis) => {
          const p = redis.pipeline();
          for (const key of keys) p.pttl(key).memory("USAGE", key);
          if (decodable) p.getBuffer(main);
          const replies = (await p.exec()) ?? [];
          keys.forEach((key, i) => {
            const ttl = Number(replies[2 * i]?.[1] ?? -2);
            if (ttl === -2) return; // no such key
            const c = classifyRedisKey(o.layout, key, o);
            copies.push({
              store: store.name,
              node: node.id,
              key,
              role: c.role === "expires" ? "expires" : "session",
              ttlSeconds: ttl < 0 ? null : Math.ceil(ttl / 1000),
              size: Number(replies[2 * i + 1]?.[1] ?? 0),
            });
          });
          const value = decodable ? (replies[2 * keys.length]?.[1] as Buffer | null) : null;
          if (value && !detail) detail = decodeRedisSession(node.id, main, value);
        }),
      ),
    );
    return { copies, detail };
  },

  /** EXISTS of each session key on the node the index found it on, pipelined. A missing key is gone: Redis is its home. */
  async verifyRoute(store, _route, sessions) {
    const o = options(store);
    const result: TRouteVerification = { checked: sessions.ids.count, safe: 0, gone: 0, unsafeCount: 0, unsafe: [] };
    const byNode = idsByNode(sessions.ids, sessions.node, sessions.nodeNames);
    await Promise.all(
      [...byNode].map(async ([nodeId, ids]) => {
        const node = store.nodes.find((n) => n.id === nodeId);
        if (!node) throw new AppError("NOT_FOUND", `Store ${store.name} no longer has node ${nodeId}`);
        await withRedis(node, o.db, 10_000, async (redis) => {
          for (let i = 0; i < ids.length; i += VERIFY_CHUNK) {
            const p = redis.pipeline();
            for (const id of ids.slice(i, i + VERIFY_CHUNK)) p.exists(redisSessionKey(o.layout, id, o));
            for (const [err, n] of (await p.exec()) ?? []) {
              if (err) throw err;
              if (Number(n) > 0) result.safe++;
              else result.gone++;
            }
          }
        });
      }),
    );
    return result;
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
};
