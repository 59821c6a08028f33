import { MemcachedCrawlerBusyError, MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import type { TMetadumpEntry } from "@/server/adapters/stores/memcached-text/protocol";
import type { TStoredKey, TStoreNode, TStoreNodeStats } from "@/server/adapters/stores/types";

export interface TEnumerateMemcachedOptions {
  /** Nodes dumped at once; 1 = one after another (default). */
  concurrency?: number;
  /** Per-command / per-chunk timeout. */
  timeoutMs?: number;
  /** Pauses before retrying a busy crawler (default: about 20 s in all). */
  busyPausesMs?: readonly number[];
}

/** Reads `stats` once: item/byte counts, evictions, memory limit and the server clock. */
export async function readMemcachedNodeStats(node: TStoreNode, timeoutMs = 5_000): Promise<TStoreNodeStats> {
  const client = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs });
  try {
    return toNodeStats(node.id, await client.stats());
  } finally {
    client.close();
  }
}

function toNodeStats(id: string, s: Record<string, string>): TStoreNodeStats {
  const n = (name: string) => Number(s[name] ?? 0);
  return {
    node: id,
    items: n("curr_items"),
    bytes: n("bytes"),
    evictions: n("evictions"),
    limitBytes: n("limit_maxbytes"),
    version: s.version ?? "",
    serverTime: n("time"),
  };
}

/**
 * Every live key of every node, one array per received chunk (the fast path for a million keys).
 * Remaining TTL = exp − server time; the server clock is read with `stats` right before the dump
 * and advanced by local elapsed time, so TTLs are exact to about a second.
 */
export function enumerateMemcachedKeyBatches(
  nodes: TStoreNode[],
  opts: TEnumerateMemcachedOptions = {},
): AsyncIterable<TStoredKey[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return mergeBounded(
    nodes.map((node) => () => dumpNode(node, timeoutMs, opts.busyPausesMs ?? BUSY_PAUSES_MS)),
    Math.max(1, opts.concurrency ?? 1),
  );
}

/** Every live key of every node as a flat stream of TStoredKey. */
export async function* enumerateMemcachedKeys(
  nodes: TStoreNode[],
  opts: TEnumerateMemcachedOptions = {},
): AsyncGenerator<TStoredKey> {
  for await (const batch of enumerateMemcachedKeyBatches(nodes, opts)) yield* batch;
}

/**
 * memcached runs one crawler request at a time per server and answers BUSY to a second one. Listings
 * here (counts, the session index, re-homing, an evacuation) and any other tool may overlap, so a BUSY
 * before the first line is waited out (short, growing pauses, about 20 s in all) rather than failing.
 */
const BUSY_PAUSES_MS = [50, 100, 200, 300, 500, 500, 1000, 1000, 2000, 2000, 3000, 3000, 3000, 3000];

async function* dumpNode(
  node: TStoreNode,
  timeoutMs: number,
  busyPausesMs: readonly number[],
): AsyncGenerator<TStoredKey[]> {
  for (let attempt = 0; ; attempt++) {
    const client = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs });
    let yielded = false;
    try {
      const stats = await client.stats();
      client.close();
      const serverTimeAtStats = Number(stats.time ?? 0);
      const localAtStats = Date.now();
      for await (const entries of client.metadumpBatches()) {
        const now = serverTimeAtStats + Math.floor((Date.now() - localAtStats) / 1000);
        yielded = true;
        yield entries.map((e) => toStoredKey(node.id, e, now));
      }
      return;
    } catch (err) {
      const pause = busyPausesMs[attempt];
      if (!(err instanceof MemcachedCrawlerBusyError) || yielded || pause === undefined) throw err;
      await new Promise((r) => setTimeout(r, pause));
    } finally {
      client.close();
    }
  }
}

export function toStoredKey(node: string, e: TMetadumpEntry, serverNow: number): TStoredKey {
  return {
    node,
    key: e.key,
    size: e.size ?? 0,
    ttlSeconds: e.exp === -1 ? null : Math.max(0, e.exp - serverNow),
    lastAccess: e.la,
  };
}

/**
 * Runs at most `limit` of the sources at once and yields their items as they come. A failing source
 * fails the whole iteration (the caller decides whether a partial listing is acceptable).
 */
async function* mergeBounded<T>(sources: Array<() => AsyncIterable<T>>, limit: number): AsyncGenerator<T> {
  const queue = [...sources];
  const active = new Map<number, { it: AsyncIterator<T>; next: Promise<{ id: number; r: IteratorResult<T> }> }>();
  let nextId = 0;
  const start = () => {
    const make = queue.shift();
    if (!make) return;
    const id = nextId++;
    const it = make()[Symbol.asyncIterator]();
    active.set(id, { it, next: it.next().then((r) => ({ id, r })) });
  };
  try {
    while (active.size < limit && queue.length > 0) start();
    while (active.size > 0) {
      const { id, r } = await Promise.race([...active.values()].map((a) => a.next));
      const a = active.get(id)!;
      if (r.done) {
        active.delete(id);
        start();
        continue;
      }
      a.next = a.it.next().then((res) => ({ id, r: res }));
      yield r.value;
    }
  } finally {
    for (const a of active.values()) {
      a.next.catch(() => {});
      await a.it.return?.().catch(() => {});
    }
  }
}
