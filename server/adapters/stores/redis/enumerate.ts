import { openRedis } from "@/server/adapters/stores/redis/connection";
import type { TStoredKey } from "@/server/adapters/stores/types";
import { scanBatchByScript, storedKeysOf, type TRedisEvalClient } from "@/server/adapters/stores/redis/scan-script";

/**
 * The slice of ioredis this module uses (docs/conventions.md §10), so tests can pass a few-line double.
 * SCAN only: KEYS blocks the server for the whole keyspace.
 */
export interface TRedisScanClient extends Partial<TRedisEvalClient> {
  scan(cursor: string, ...args: Array<string | number>): Promise<[cursor: string, keys: string[]]>;
  pipeline(): TRedisPipeline;
}
export interface TRedisPipeline {
  pttl(key: string): TRedisPipeline;
  memory(sub: "USAGE", key: string, samples: "SAMPLES", count: number): TRedisPipeline;
  type(key: string): TRedisPipeline;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

export interface TEnumerateRedisOptions {
  match?: string;
  /** SCAN COUNT hint per round trip (default 1000). */
  count?: number;
  db?: number;
  /** Node id for TStoredKey.node; default host:port of the URL. */
  nodeId?: string;
  /** `memory` = MEMORY USAGE … SAMPLES 0 (default; all types); `none` = skip the size query (size 0). */
  size?: "memory" | "none";
  timeoutMs?: number;
}

/** Every key matching `match` on one Redis endpoint, with remaining TTL and size, one array per SCAN batch. */
export async function* enumerateRedisKeyBatches(
  url: string,
  opts: TEnumerateRedisOptions = {},
): AsyncGenerator<TStoredKey[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const redis = openRedis(url, {
    db: opts.db,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    enableOfflineQueue: true,
  });
  const u = new URL(url);
  const node = opts.nodeId ?? `${u.hostname}:${u.port || "6379"}`;
  try {
    await redis.connect();
    yield* scanKeyBatches(redis as unknown as TRedisScanClient, node, opts);
  } finally {
    redis.disconnect();
  }
}

export async function* enumerateRedisKeys(url: string, opts: TEnumerateRedisOptions = {}): AsyncGenerator<TStoredKey> {
  for await (const batch of enumerateRedisKeyBatches(url, opts)) yield* batch;
}

/**
 * Transport-agnostic core: one EVAL per batch where the server runs scripts (scan-script.ts), otherwise
 * SCAN, then one pipeline per batch for PTTL (+ MEMORY USAGE). The next SCAN is
 * sent before this batch's pipeline, so the server works on one while the other's replies are read (the
 * two share the connection, in order): a round trip per batch instead of two.
 */
export async function* scanKeyBatches(
  client: TRedisScanClient,
  node: string,
  opts: TEnumerateRedisOptions = {},
): AsyncGenerator<TStoredKey[]> {
  const withSize = (opts.size ?? "memory") === "memory";
  if (client.eval) {
    // One EVAL per batch (scan-script.ts); a server that refuses scripts (ACL, a proxy) is read the pipelined way.
    const evalClient = client as TRedisEvalClient;
    const count = opts.count ?? 1000;
    const match = opts.match ?? "*";
    const first = await scanBatchByScript(evalClient, "0", match, count, withSize).catch(() => null);
    if (first) {
      for (let reply = first; ;) {
        // The next batch is asked for before this one is handed on: Redis runs it while this process
        // reads and indexes these keys (one after the other, the two waited for each other: 1,000,000
        // keys took Redis 2.6 CPU-s and us 1.7, and 4.7 s). Its failure is kept for the await below.
        const next = reply[0] === "0" ? null : settle(scanBatchByScript(evalClient, reply[0], match, count, withSize));
        const out = storedKeysOf(node, reply);
        if (out.length > 0) yield out;
        if (!next) return;
        reply = unwrap(await next);
      }
    }
  }
  const args = [...(opts.match ? ["MATCH", opts.match] : []), "COUNT", opts.count ?? 1000];
  let next: Promise<[string, string[]]> | null = client.scan("0", ...args);
  while (next) {
    const [cursor, keys]: [string, string[]] = await next;
    next = cursor === "0" ? null : client.scan(cursor, ...args);
    if (keys.length === 0) continue;
    const p = client.pipeline();
    for (const k of keys) {
      p.pttl(k);
      if (withSize) p.memory("USAGE", k, "SAMPLES", 0);
    }
    const replies = (await p.exec()) ?? [];
    const per = withSize ? 2 : 1;
    const out: TStoredKey[] = [];
    for (let i = 0; i < keys.length; i++) {
      const [ttlErr, pttl] = replies[i * per] ?? [null, -2];
      if (ttlErr) throw ttlErr;
      // -2: the key expired or was deleted between SCAN and PTTL; SCAN may also repeat keys (caller dedups if it must).
      if (pttl === -2 || pttl === null) continue;
      const size = withSize ? Number(replies[i * per + 1]?.[1] ?? 0) : 0;
      const ms = Number(pttl);
      out.push({ node, key: keys[i]!, size, ttlSeconds: ms < 0 ? null : Math.round(ms / 1000), lastAccess: null });
    }
    if (out.length > 0) yield out;
  }
}

type TSettled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so one in flight while the consumer stops is not an unhandled rejection. */
function settle<T>(p: Promise<T>): Promise<TSettled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(s: TSettled<T>): T {
  if (s.ok) return s.value;
  throw s.error;
}
