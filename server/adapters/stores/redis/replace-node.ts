import type { Redis } from "ioredis";
import { openRedis } from "@/server/adapters/stores/redis/connection";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { enumerateRedisKeyBatches } from "@/server/adapters/stores/redis/enumerate";
import {
  classifyRedisKey,
  redisScanPatterns,
  type TRedisLayout,
  type TRedisLayoutOptions,
} from "@/server/adapters/stores/redis/layouts";
import type { TKeyCheck, TKeyCopy, TNodeCopier, TServerAddress } from "@/server/adapters/stores/store-operations";
import type { TStoreNode } from "@/server/adapters/stores/types";

export type TRedisCopyOptions = TRedisLayoutOptions & { layout: TRedisLayout; db: number };

/** Where each session manager takes its Redis endpoint from (docs/reference/session-stores.md §2–§4). */
const ENDPOINT_SETTING: Record<TRedisLayout, string> = {
  "tomcat-redis-session-manager":
    "the host and port attributes of the RedisSessionManager <Manager> in every Tomcat's context.xml",
  redisson: "singleServerConfig.address in the redisson.yaml every Tomcat's RedissonSessionManager reads (configPath)",
  "spring-session":
    "spring.data.redis.host / spring.data.redis.port (or spring.data.redis.url) of every application instance",
};

const connect = (node: TServerAddress, db: number) =>
  openRedis(`redis://${node.host}:${node.port}`, {
    db,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 10_000,
  });

async function pipelined(
  redis: Redis,
  build: (p: ReturnType<Redis["pipeline"]>) => void,
): Promise<Array<[Error | null, unknown]>> {
  const p = redis.pipeline();
  build(p);
  return (await p.exec()) ?? [];
}

/**
 * Replacing a Redis endpoint: every key of the layout (sessions, Spring's shadow `expires:` keys,
 * expiration buckets and principal index) is copied with DUMP + PTTL and RESTORE, never MIGRATE: the
 * source keeps everything (§4 "Move"). RESTORE without REPLACE is an atomic "add", so a key the
 * application already wrote on the new server (during the switch) is never overwritten; Redis keeps no
 * write clock to tell which of two different values is newer, so such a key is kept and reported.
 */
export function openRedisNodeCopier(
  store: TStoreConfig,
  o: TRedisCopyOptions,
  source: TStoreNode,
  target: TServerAddress,
): TNodeCopier {
  const src = connect(source, o.db);
  const dst = connect(target, o.db);
  const isSessionKey = (key: string) => classifyRedisKey(o.layout, key, o).role !== "other";

  async function* keyBatches(node: TServerAddress, nodeId: string): AsyncIterable<string[]> {
    const seen = new Set<string>(); // SCAN may return a key twice
    for (const match of redisScanPatterns(o.layout, o)) {
      for await (const batch of enumerateRedisKeyBatches(`redis://${node.host}:${node.port}`, {
        match,
        db: o.db,
        nodeId,
        size: "none",
      })) {
        const keys = batch.map((k) => k.key).filter((k) => isSessionKey(k) && !seen.has(k) && seen.add(k));
        if (keys.length > 0) yield keys;
      }
    }
  }

  /** DUMP (serialized value, null when absent) and PTTL of each key, one round trip. */
  async function dumps(redis: Redis, keys: string[]): Promise<Array<{ dump: Buffer | null; pttl: number }>> {
    const replies = await pipelined(redis, (p) => keys.forEach((k) => p.dumpBuffer(k).pttl(k)));
    return keys.map((_, i) => {
      const [dErr, dump] = replies[2 * i] ?? [null, null];
      const [tErr, pttl] = replies[2 * i + 1] ?? [null, -2];
      if (dErr || tErr) throw dErr ?? tErr;
      return { dump: (dump as Buffer | null) ?? null, pttl: Number(pttl) };
    });
  }

  return {
    keyBatches: () => keyBatches(source, source.id),
    async copy(keys, dryRun) {
      try {
        const before = await dumps(dst, keys); // target first: what is there now is never replaced
        const from = await dumps(src, keys);
        const plan: Array<{ key: string; dump: Buffer; pttl: number }> = [];
        const out: TKeyCopy[] = keys.map((key, i) => {
          const f = from[i]!;
          const t = before[i]!;
          if (!f.dump || f.pttl === -2) return { key, result: "gone" };
          if (t.dump) return { key, result: t.dump.equals(f.dump) ? "same" : "kept" };
          if (!dryRun) plan.push({ key, dump: f.dump, pttl: f.pttl });
          return { key, result: "copied" };
        });
        if (plan.length === 0) return out;
        // PTTL -1 = no expiry: RESTORE with ttl 0 keeps the key persistent.
        const replies = await pipelined(dst, (p) => plan.forEach((c) => p.restore(c.key, Math.max(0, c.pttl), c.dump)));
        const byKey = new Map(plan.map((c, i) => [c.key, replies[i]?.[0] ?? null]));
        return out.map((r) => {
          const err = byKey.get(r.key);
          if (!err) return r;
          // BUSYKEY: the application wrote the key on the target between our read and the RESTORE.
          return /BUSYKEY/.test(err.message)
            ? { key: r.key, result: "kept" }
            : { key: r.key, result: "failed", reason: err.message };
        });
      } catch (err) {
        return keys.map((key) => ({ key, result: "failed", reason: (err as Error).message }));
      }
    },
    async check(keys) {
      const [from, to] = await Promise.all([dumps(src, keys), dumps(dst, keys)]);
      return keys.map((key, i): TKeyCheck => {
        const f = from[i]!.dump;
        const t = to[i]!.dump;
        // Bytes: DUMP payload (value + RDB version + checksum), the same on both sides for equal values.
        const sizes = { sourceBytes: f?.length ?? 0, targetBytes: t?.length ?? 0 };
        if (!f) return { key, state: "gone", ...sizes };
        if (!t) return { key, state: "missing", ...sizes };
        return { key, state: t.equals(f) ? "same" : "differs", ...sizes };
      });
    },
    async countTargetKeys() {
      let n = 0;
      for await (const keys of keyBatches(target, `${target.host}:${target.port}`)) n += keys.length;
      return n;
    },
    configChange: () => [
      `Point the session manager at redis://${target.host}:${target.port} instead of redis://${source.host}:${source.port}: ${ENDPOINT_SETTING[o.layout]}${o.db ? ` (database ${o.db})` : ""}.`,
      `In the console's inventory: store ${store.name}, node ${source.id} → host ${target.host}, port ${target.port}.`,
      `Then run this replacement again: it copies sessions created on ${source.host}:${source.port} during the switch. Keys that changed there after they were copied are reported as differing, not overwritten. Stop ${source.host}:${source.port} only after that.`,
    ],
    close() {
      src.disconnect();
      dst.disconnect();
    },
  };
}
