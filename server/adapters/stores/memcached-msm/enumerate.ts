import { MemcachedCrawlerBusyError, MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import type { TMetadumpEntry } from "@/server/adapters/stores/memcached-text/protocol";
import {
  metadumpKey as metadumpKeyText,
  type TMetadumpSink,
} from "@/server/adapters/stores/memcached-text/metadump-scanner";
import type { TScanHooks } from "@/server/adapters/stores/adapter";
import type { TStoredKey, TStoreNode } from "@/server/adapters/stores/types";

export interface TEnumerateMemcachedOptions {
  /** Per-command / per-chunk timeout. */
  timeoutMs?: number;
  /** Pauses before retrying a busy crawler (default: about 20 s in all). */
  busyPausesMs?: readonly number[];
}

/**
 * memcached runs one crawler request at a time per server and answers BUSY to a second one. This
 * process never sends two (the crawler lock), so a BUSY means another tool is crawling: it is waited
 * out with short, growing pauses. Without a signal to stop waiting, about 20 s in all; a scan that says
 * when it stops being needed (hooks.signal) keeps waiting, at most every 5 s, and reports each wait.
 */
const BUSY_PAUSES_MS = [50, 100, 200, 300, 500, 500, 1000, 1000, 2000, 2000, 3000, 3000, 3000, 3000];
const LONG_BUSY_PAUSE_MS = 5_000;

/** The server clock (from `stats`) and the local clock at the same moment, for TTLs and last access. */
export interface TClockPair {
  server: number;
  localMs: number;
}

/**
 * One metadump of one node, retried while the crawler is busy. `onStart` runs before each attempt (a
 * retry restarts from nothing), with the server clock read by `stats` right before the dump.
 */
export async function* dumpNodeRetryingBusy(
  node: TStoreNode,
  sink: TMetadumpSink,
  onStart: (clock: TClockPair) => void,
  opts: TEnumerateMemcachedOptions & TScanHooks = {},
): AsyncGenerator<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pauses = opts.busyPausesMs ?? BUSY_PAUSES_MS;
  for (let attempt = 0; ; attempt++) {
    const client = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs });
    let yielded = false;
    try {
      const stats = await client.stats();
      client.close();
      onStart({ server: Number(stats.time ?? 0), localMs: Date.now() });
      for await (const _ of client.scanMetadump(sink)) {
        yielded = true;
        yield;
      }
      return;
    } catch (err) {
      if (!(err instanceof MemcachedCrawlerBusyError) || yielded) throw err;
      const pause = pauses[attempt] ?? (opts.signal ? LONG_BUSY_PAUSE_MS : undefined);
      if (pause === undefined || opts.signal?.aborted) throw err;
      opts.onBusy?.(attempt + 1, pause);
      await new Promise((r) => setTimeout(r, pause));
      if (opts.signal?.aborted) throw err;
    } finally {
      client.close();
    }
  }
}

/**
 * Every key of every node as TStoredKey, one array per received chunk, nodes one after another: for
 * listings that need every key by name (replacing a server). The session index reads nodes through
 * the adapter's scanNode instead, without a string per key. Remaining TTL = exp − server time; the
 * server clock is read with `stats` right before the dump and advanced by local elapsed time.
 */
export async function* enumerateMemcachedKeyBatches(
  nodes: TStoreNode[],
  opts: TEnumerateMemcachedOptions = {},
): AsyncGenerator<TStoredKey[]> {
  for (const node of nodes) {
    let clock: TClockPair = { server: 0, localMs: Date.now() };
    let batch: TStoredKey[] = [];
    const sink: TMetadumpSink = (buf, ks, ke, exp, la, size) => {
      const now = clock.server + Math.floor((Date.now() - clock.localMs) / 1000);
      batch.push(toStoredKey(node.id, { key: metadumpKeyText(buf, ks, ke), exp, la, size }, now));
    };
    for await (const _ of dumpNodeRetryingBusy(node, sink, (c) => (clock = c), opts)) {
      if (batch.length === 0) continue;
      yield batch;
      batch = [];
    }
  }
}

/** Every live key of every node as a flat stream of TStoredKey. */
export async function* enumerateMemcachedKeys(
  nodes: TStoreNode[],
  opts: TEnumerateMemcachedOptions = {},
): AsyncGenerator<TStoredKey> {
  for await (const batch of enumerateMemcachedKeyBatches(nodes, opts)) yield* batch;
}

export function toStoredKey(node: string, e: TMetadumpEntry, serverNow: number): TStoredKey {
  return {
    node,
    key: e.key,
    size: e.size,
    ttlSeconds: e.exp === -1 ? null : Math.max(0, e.exp - serverNow),
    lastAccess: e.la,
  };
}
