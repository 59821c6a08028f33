import { processSingleton } from "@/server/process-singleton";
import type { TStoreCounters, TStoreNodeReading } from "@/server/adapters/stores/node-reading";
import type { TRestartImpact, TStoreNodeState, TStoreWarning } from "@/server/domain/store-health";

/** Per-second rates between the last two good polls; null where the kind has no such counter or it reset. */
export interface TStoreNodeRates {
  hitsPerSec: number | null;
  missesPerSec: number | null;
  evictionsPerSec: number | null;
  expiredPerSec: number | null;
  commandsPerSec: number | null;
  createdPerSec: number | null;
  rejectedPerSec: number | null;
}

/**
 * The latest stats poll of one store node, failures included, with what the health rules made of it:
 * what the store panels show and push, and what alerts and /metrics read (a typed, in-memory table like
 * the frontends' live table).
 */
export interface TStoreNodeLive {
  storeNodeId: number;
  storeId: number;
  clusterId: number;
  cluster: string;
  store: string;
  kind: string;
  node: string;
  host: string;
  port: number;
  pollIntervalMs: number;
  /** null until the first poll answers or fails. */
  up: boolean | null;
  error: string | null;
  errorCode: string | null;
  lastPollAt: Date | null;
  lastGoodAt: Date | null;
  durationMs: number | null;
  /** The first failed poll of the current outage (ms); null while it answers. */
  downSince: number | null;
  /** The last good reading (after a failed poll: the one before, marked stale). */
  reading: TStoreNodeReading | null;
  /** When `reading` was taken (ms). */
  readingAt: number | null;
  /** Restarts this console process's polls detected (restarts seen before it started are in `restart` only). */
  restartsDetected: number;
  /** What the counters had counted before they last started over; reading + base is what /metrics exports. */
  counterBase: TStoreCounters;
  rates: TStoreNodeRates | null;
  /** Hits / lookups over the last interval, its number of lookups, and the usual ratio (moving average). */
  hitRatio: number | null;
  lookups: number | null;
  usualHitRatio: number | null;
  /** Since when evictions have been rising (ms); null when not evicting. */
  evictingSince: number | null;
  /** The last restart seen, with the sessions it cost (shown for a while, kept across console restarts). */
  restart: TRestartImpact | null;
  /** While the node is down: its sessions (as the index knew them) that have no backup copy elsewhere; else null. */
  sessionsWithoutBackup: number | null;
  state: TStoreNodeState | "unknown";
  warnings: TStoreWarning[];
  stale: boolean;
}

// One table per process: the store poller (instrumentation bundle) and the API (route bundles) share it.
const table = () => processSingleton("store-live", () => new Map<number, TStoreNodeLive>());

export function getStoreNodeLive(storeNodeId: number): TStoreNodeLive | undefined {
  return table().get(storeNodeId);
}

export function setStoreNodeLive(live: TStoreNodeLive): void {
  table().set(live.storeNodeId, live);
}

export function forgetStoreNodeLive(storeNodeId: number): void {
  table().delete(storeNodeId);
}

/** Every node of a cluster's stores as last polled (alerts and /metrics: `listStoreNodeLive()` for all). */
export function listStoreNodeLive(clusterId?: number): TStoreNodeLive[] {
  return [...table().values()].filter((l) => clusterId === undefined || l.clusterId === clusterId);
}
