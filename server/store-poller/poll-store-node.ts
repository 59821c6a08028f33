import { getStoreAdapter } from "@/server/adapters/registry";
import type { TStoreNodeReading } from "@/server/adapters/stores/node-reading";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { AppError, TargetTimeoutError } from "@/server/errors";
import { logger } from "@/server/logger";
import {
  counterRate,
  detectRestart,
  evaluateStoreNodeHealth,
  intervalHitRatio,
  nextUsualHitRatio,
  type TRestartImpact,
} from "@/server/domain/store-health";
import type { TStoreRef } from "@/server/services/sessions/stores";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import type { TStoreSegment } from "@/server/services/sessions/session-index/segment";
import {
  getStoreNodeLive,
  setStoreNodeLive,
  type TStoreNodeLive,
  type TStoreNodeRates,
} from "@/server/store-poller/store-live-state";
import { nextCounterBase } from "@/server/store-poller/store-counter-totals";

/** One node of one store, as the store poller polls it. */
export interface TStoreNodeTarget {
  store: TStoreRef;
  node: TStoreNode;
  storeNodeId: number;
  timeoutMs: number;
}

/** The index counts a node's sessions only this long after its scan (older counts are not "now"). */
const SESSIONS_FRESH_MS = 5 * 60_000;

/**
 * Polls one store node once: its stats through the kind's adapter, rates against the previous good
 * poll, the health rules, and what the session index knows of its sessions. A failed poll is data
 * (up = false with the reason). Never throws.
 */
export async function pollStoreNode(target: TStoreNodeTarget, now: () => number = Date.now): Promise<TStoreNodeLive> {
  const { store, node } = target;
  const prev = getStoreNodeLive(target.storeNodeId);
  const started = now();
  let reading: TStoreNodeReading | null = null;
  let error: string | null = null;
  let errorCode: string | null = null;
  try {
    reading = await withTimeout(
      getStoreAdapter(store.kind).readNodeStats(store, node, target.timeoutMs),
      target.timeoutMs + 500,
      () => new TargetTimeoutError(`${node.host}:${node.port}`, target.timeoutMs),
    );
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    errorCode = err instanceof AppError ? err.code : "INTERNAL";
    if (!(err instanceof AppError))
      logger.error({ err, store: store.name, node: node.id }, "unexpected store poll failure");
  }
  const at = now();
  const segment = sessionScans().currentSegment(store.id);
  const adapter = getStoreAdapter(store.kind);
  const fallback = adapter.fallbackNode?.(store, node.id) ?? null;

  let rates: TStoreNodeRates | null = null;
  let hitRatio: number | null = null;
  let lookups: number | null = null;
  let usualHitRatio = prev?.usualHitRatio ?? null;
  let evictingSince = prev?.evictingSince ?? null;
  let restart = prev?.restart ?? null;
  let restartsDetected = prev?.restartsDetected ?? 0;
  let counterBase = prev?.counterBase ?? {};
  if (reading) {
    const last = prev?.reading && prev.readingAt !== null ? { reading: prev.reading, at: prev.readingAt } : null;
    const restarted =
      last !== null &&
      detectRestart(
        { uptimeSeconds: last.reading.uptimeSeconds, counters: { ...last.reading.counters }, at: last.at },
        { uptimeSeconds: reading.uptimeSeconds, counters: { ...reading.counters }, at },
      );
    if (last) counterBase = nextCounterBase(counterBase, last.reading.counters, reading.counters, restarted);
    if (restarted) {
      restartsDetected++;
      // It went down after the last poll that still saw it up (memcached's uptime starts at about a
      // minute, ITEM_UPDATE_INTERVAL + 2 s, so uptime alone can point before that poll).
      const upSince = Math.max(last.at, reading.uptimeSeconds !== null ? at - reading.uptimeSeconds * 1000 : at);
      // It was gone by the first poll that failed (or by this one, when no poll caught it down).
      const goneBy = prev?.downSince ?? at;
      restart = restartImpact(segment, node.id, goneBy, upSince, fallback, last.reading.items, reading.items);
      usualHitRatio = null; // a fresh server's ratio starts over
      logger.warn({ store: store.name, node: node.id, restart }, "store node restarted");
    } else if (last) {
      const seconds = (at - last.at) / 1000;
      const c0 = last.reading.counters;
      const c1 = reading.counters;
      const rate = (k: keyof typeof c1) => counterRate(c0[k], c1[k], seconds);
      rates = {
        hitsPerSec: rate("hits"),
        missesPerSec: rate("misses"),
        evictionsPerSec: rate("evictions"),
        expiredPerSec: rate("expired"),
        commandsPerSec: rate("commands"),
        createdPerSec: rate("created"),
        rejectedPerSec: rate("rejected"),
      };
      const h = intervalHitRatio(
        rates.hitsPerSec === null ? null : (c1.hits ?? 0) - (c0.hits ?? 0),
        rates.missesPerSec === null ? null : (c1.misses ?? 0) - (c0.misses ?? 0),
      );
      hitRatio = h.ratio;
      lookups = h.lookups;
    }
    const evicting = (rates?.evictionsPerSec ?? 0) > 0;
    evictingSince = evicting ? (evictingSince ?? last?.at ?? at) : null;
  }
  const up = reading !== null;
  const sessionsWithoutBackup = !up && adapter.keepsBackupCopies ? unbackedOn(segment, node.id) : null;
  const health = evaluateStoreNodeHealth({
    node: node.id,
    up,
    error,
    memoryUsedBytes: (reading ?? prev?.reading)?.memoryUsedBytes ?? null,
    memoryLimitBytes: (reading ?? prev?.reading)?.memoryLimitBytes ?? null,
    evictingPolicy: (reading ?? prev?.reading)?.evictingPolicy ?? null,
    evictionsPerSec: rates?.evictionsPerSec ?? null,
    evictingSince,
    hitRatio,
    lookups,
    usualHitRatio,
    restart,
    sessionsWithoutBackup,
    fallback,
    now: at,
  });
  // The usual ratio moves after the interval is judged against it.
  if (reading) usualHitRatio = nextUsualHitRatio(usualHitRatio, hitRatio, lookups ?? 0);

  const live: TStoreNodeLive = {
    storeNodeId: target.storeNodeId,
    storeId: store.id,
    clusterId: store.clusterId,
    cluster: store.cluster,
    store: store.name,
    kind: store.kind,
    node: node.id,
    host: node.host,
    port: node.port,
    pollIntervalMs: store.pollIntervalMs,
    up,
    error,
    errorCode,
    lastPollAt: new Date(at),
    lastGoodAt: up ? new Date(at) : (prev?.lastGoodAt ?? null),
    durationMs: at - started,
    downSince: up ? null : prev?.up === false ? (prev.downSince ?? at) : at,
    reading: reading ?? prev?.reading ?? null,
    readingAt: reading ? at : (prev?.readingAt ?? null),
    restartsDetected,
    counterBase,
    rates: up ? rates : null,
    hitRatio,
    lookups,
    usualHitRatio,
    evictingSince,
    restart,
    sessionsWithoutBackup,
    state: health.state,
    warnings: health.warnings,
    stale: !up,
  };
  setStoreNodeLive(live);
  return live;
}

/** Sessions the index counts on a node, when its scan is recent enough to say "now". */
export function sessionsOnNode(segment: TStoreSegment | null, node: string, now: number): number | null {
  const scannedAt = segment?.nodeScans[node]?.scannedAt;
  if (!scannedAt || now - scannedAt > SESSIONS_FRESH_MS) return null;
  return indexedSessionsOnNode(segment, node);
}

/** Sessions (primary copies) the index holds on a node as of its last scan of it, however old; null before one. */
export function indexedSessionsOnNode(segment: TStoreSegment | null, node: string): number | null {
  if (!segment?.nodeScans[node]?.scannedAt) return null;
  const i = segment.nodes.indexOf(node);
  return i < 0 ? 0 : segment.counts.perNode[i]!;
}

function unbackedOn(segment: TStoreSegment | null, node: string): number | null {
  const i = segment?.nodes.indexOf(node) ?? -1;
  if (!segment || i < 0 || !segment.nodeScans[node]?.scannedAt) return null;
  return segment.counts.unbackedPerNode[i]!;
}

/**
 * What the index says the restart cost: its count for the node, when the scan behind it had finished
 * before the node was seen gone (a later scan may have read it already empty).
 */
function restartImpact(
  segment: TStoreSegment | null,
  node: string,
  goneBy: number,
  upSince: number,
  fallback: string | null,
  itemsBefore: number,
  itemsAfter: number,
): TRestartImpact {
  const i = segment?.nodes.indexOf(node) ?? -1;
  const scannedAt = segment?.nodeScans[node]?.scannedAt ?? null;
  const known = segment !== null && scannedAt !== null && segment.scanFinishedAt <= goneBy;
  const perRoute: Record<string, number> = {};
  if (known && i >= 0)
    segment.routes.forEach((route, r) => {
      const n = segment.counts.perNodeRoute[i * segment.routes.length + r]!;
      if (n > 0) perRoute[route] = n;
    });
  const lost = !known ? null : i < 0 ? 0 : segment.counts.perNode[i]!;
  return {
    at: upSince,
    lostPrimaries: lost,
    perRoute,
    fallback,
    withBackup:
      !known || !fallback || !segment.sawBackups ? null : lost! - (i < 0 ? 0 : segment.counts.unbackedPerNode[i]!),
    itemsBefore,
    itemsAfter,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
