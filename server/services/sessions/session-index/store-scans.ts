import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import { logger } from "@/server/logger";
import { processSingleton } from "@/server/process-singleton";
import { storeConfigs, type TStoreRef } from "@/server/services/sessions/stores";
import { SegmentBuilder } from "@/server/services/sessions/session-index/segment-builder";
import { emptySegment, segmentBytes, type TStoreSegment } from "@/server/services/sessions/session-index/segment";
import {
  countsOnlySegment,
  shareSegment,
  type TSharedStoreIndex,
} from "@/server/services/sessions/session-index/shared-index";
import { getOwnership } from "@/server/cluster-lease/ownership";
import { sessionIndexDuty } from "@/server/cluster-lease/duties";
import { emitEvent, isRemoteEvent, onEvent } from "@/server/poller/event-bus";
import { getDb } from "@/server/db";

/**
 * One session scan per store, shared by every consumer (the table, counts, safe-to-stop, re-homing, the
 * rollout wait, the operations). A scan is single-flight per store and runs only while it is needed:
 * - someone looked at the cluster's sessions within the demand window (each look extends it);
 * - a rollout is waiting or an operation is running on the cluster (they hold demand while they run);
 * - a caller asked for a scan newer than some moment (awaitScan: an evacuation, "Rescan now").
 * Nobody needing it, nothing runs: no timer is left ticking. Requests never scan: they read the store's
 * index (the last complete scan) or, when they must, wait for the scan in flight.
 *
 * Several instances: a cluster's stores are scanned for its viewers only by the instance keeping the
 * cluster's session index (the `sessions:<clusterId>` lease). The others tell the keeper someone looks at
 * the counts and answer them from the counts it shares after each scan (TSharedStoreIndex); what needs the
 * ids (the session table, safe-to-stop, re-homing, a rollout's wait) they ask of the keeper
 * (index-keeper.ts). An operation scans where it runs (awaitScan), for a listing newer than its start.
 */

export interface TScanSettings {
  /** Seconds between scans of a store while it is needed; 0 = only when asked (awaitScan / rescan). */
  intervalS: number;
  /** Seconds a look at a cluster's sessions keeps its stores scanned. */
  demandS: number;
  /** Store scans at once, across clusters (a scan is mostly parsing: one JavaScript thread). */
  concurrency: number;
}

export type TNodeScanState = "waiting" | "reading" | "busy" | "done" | "failed";

export interface TRunningScan {
  startedAt: number;
  /** Sessions read so far. */
  scanned: number;
  nodes: Record<string, { state: TNodeScanState; note: string | null }>;
}

interface TStoreState {
  ref: TStoreRef;
  fingerprint: string;
  segment: TStoreSegment | null;
  running: (TRunningScan & { done: Promise<void>; abort: AbortController }) | null;
  /** A caller wants a scan started at or after this moment (0: none asked). */
  wantedAfter: number;
  /** Why the last scan failed as a whole (the store's config, the database); node failures are in the segment. */
  error: string | null;
  lastFinishedAt: number;
}

interface TClusterState {
  db: TDb;
  /** null while the cluster has no store (nothing to keep). */
  clusterId: number | null;
  stores: Map<number, TStoreState>;
  loadedAt: number;
  /** Someone uses the ids (the session table, safe-to-stop, re-homing) until then. */
  viewedUntil: number;
  /** Someone looks at the counts until then (scanned by the keeper, like viewedUntil). */
  countsViewedUntil: number;
  holds: number;
}

type TWaiter = { storeId: number; after: number; resolve: () => void; reject: (e: Error) => void };

/** Store configs are re-read at most this often (and at once after an inventory change). */
const CONFIG_TTL_MS = 10_000;
const TICK_MS = 500;

export class StoreScanCoordinator {
  private readonly clusters = new Map<string, TClusterState>();
  private readonly waiters: TWaiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private active = 0;
  /** The keepers' counts, per store id (several instances). */
  private readonly shared = new Map<number, TSharedStoreIndex>();
  /** When this instance last told the keeper someone looks at a cluster's counts. */
  private readonly toldOwners = new Map<string, number>();

  constructor(private settings: TScanSettings) {
    onEvent("store-indexed", (ev) => {
      if (isRemoteEvent(ev)) this.shared.set(ev.storeId, ev.index);
    });
    onEvent("sessions-viewed", (ev) => {
      if (isRemoteEvent(ev)) void this.viewedElsewhere(getDb(), ev.cluster).catch(() => undefined);
    });
  }

  configure(settings: Partial<TScanSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  /** A person looked at the cluster's sessions: keep its stores scanned for the demand window. */
  async noteViewed(db: TDb, cluster: string): Promise<void> {
    const c = await this.load(db, cluster);
    c.viewedUntil = Date.now() + this.settings.demandS * 1000;
    this.wake();
  }

  /**
   * A person looks at the cluster's session counts (the sessions page, the counts API): keep its stores
   * scanned for the demand window if this instance keeps the cluster's index, else tell the keeper.
   */
  async noteCountsViewed(db: TDb, cluster: string, tellOwners = true): Promise<void> {
    const c = await this.load(db, cluster);
    const now = Date.now();
    c.countsViewedUntil = now + this.settings.demandS * 1000;
    const elsewhere = c.stores.size > 0 && !this.keeps(c);
    // Often enough that the keeper's window never lapses while someone looks, not at every request; every
    // 5 s while a store has no counts here at all (the keeper shares them again when told).
    const blind = [...c.stores.values()].some((s) => !s.segment && !this.shared.has(s.ref.id));
    const every = blind ? 5_000 : Math.max(5_000, (this.settings.demandS * 1000) / 4);
    if (tellOwners && elsewhere && now - (this.toldOwners.get(cluster) ?? 0) >= every) {
      this.toldOwners.set(cluster, now);
      emitEvent("sessions-viewed", { cluster });
    }
    this.wake();
  }

  /**
   * Another instance's viewer looks at the counts: the keeper keeps the stores scanned, and shares the
   * counts it has again. A scan's share can be missed (an instance that joined later, a fan-out connection
   * down for a moment) and, with no rescan due, would otherwise not come again; the asker tells at most
   * every quarter of the demand window, so this costs one small message per store that often.
   */
  private async viewedElsewhere(db: TDb, cluster: string): Promise<void> {
    await this.noteCountsViewed(db, cluster, false);
    const c = await this.load(db, cluster);
    if (this.keeps(c)) for (const s of c.stores.values()) if (s.segment) this.share(s, s.segment);
  }

  /** Tells the other instances a scan's counts (several instances; nobody listens on one). */
  private share(s: TStoreState, segment: TStoreSegment): void {
    const instanceId = getOwnership().instanceId;
    if (!instanceId) return;
    emitEvent("store-indexed", {
      cluster: s.ref.cluster,
      storeId: s.ref.id,
      index: shareSegment(instanceId, segment),
    });
  }

  /** A rollout wait or an operation needs current data until the returned function is called. */
  async hold(db: TDb, cluster: string): Promise<() => void> {
    const c = await this.load(db, cluster);
    c.holds++;
    this.wake();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      c.holds--;
    };
  }

  /**
   * Starts a scan of every store of the cluster. A scan in flight began before the request and may miss
   * what the asker just changed, so one more runs after it; every request made during that scan shares
   * the one follow-up, so many viewers clicking never pile scans up.
   */
  async requestScan(db: TDb, cluster: string): Promise<void> {
    const c = await this.load(db, cluster);
    const now = Date.now();
    for (const s of c.stores.values()) s.wantedAfter = Math.max(s.wantedAfter, now);
    this.wake();
  }

  /**
   * Resolves once every store of the cluster (or the one named) has an index from a scan that started at
   * or after `after` (ms). A scan in flight that started earlier is let finish, then another one runs.
   */
  async awaitScan(db: TDb, cluster: string, after: number, storeName?: string): Promise<void> {
    const c = await this.load(db, cluster);
    const pending: Array<Promise<void>> = [];
    for (const s of c.stores.values()) {
      if (storeName !== undefined && s.ref.name !== storeName) continue;
      if (s.segment && s.segment.scanStartedAt >= after) continue;
      if (!s.running || s.running.startedAt < after) s.wantedAfter = Math.max(s.wantedAfter, after);
      pending.push(new Promise((resolve, reject) => this.waiters.push({ storeId: s.ref.id, after, resolve, reject })));
    }
    this.wake();
    await Promise.all(pending);
  }

  /** The stores of the cluster with their current index (empty before the first scan) and scan state. */
  async snapshot(db: TDb, cluster: string): Promise<TStoreIndexView[]> {
    const c = await this.load(db, cluster);
    return [...c.stores.values()]
      .sort((a, b) => (a.ref.name < b.ref.name ? -1 : 1))
      .map((s) => ({
        ref: s.ref,
        indexed: getStoreAdapter(s.ref.kind).capabilities.enumerate,
        segment: s.segment ?? emptySegment(s.ref.name),
        scanned: s.segment !== null,
        running: s.running
          ? { startedAt: s.running.startedAt, scanned: s.running.scanned, nodes: { ...s.running.nodes } }
          : null,
        error: s.error,
        shared: this.newerShared(s),
      }));
  }

  /** The keeper's counts of the store when they are newer than this instance's own index. */
  private newerShared(s: TStoreState): TSharedStoreIndex | null {
    const shared = this.shared.get(s.ref.id);
    if (!shared || JSON.stringify(shared.nodes.slice().sort()) !== JSON.stringify(s.ref.nodes.map((n) => n.id).sort()))
      return null;
    return !s.segment || shared.scanStartedAt > s.segment.scanStartedAt ? shared : null;
  }

  /** The segment of one store as it is now (null before its first scan), without touching demand. */
  currentSegment(storeId: number): TStoreSegment | null {
    for (const c of this.clusters.values()) {
      const s = c.stores.get(storeId);
      if (s) return s.segment;
    }
    return null;
  }

  /**
   * Sessions per route (jvmRoute) over the cluster's store indexes, with when the oldest of them was
   * scanned; null before any store of the cluster has an index. For /metrics: reads the precomputed
   * counts of each segment, touches no demand and starts no scan.
   */
  countsByRoute(cluster: string): { scannedAt: number; total: number; byRoute: ReadonlyMap<string, number> } | null {
    const c = this.clusters.get(cluster);
    if (!c) return null;
    const byRoute = new Map<string, number>();
    let total = 0;
    let scannedAt = Infinity;
    for (const s of c.stores.values()) {
      const shared = this.newerShared(s);
      const seg = shared ? countsOnlySegment(s.ref.name, shared) : s.segment;
      if (!seg) continue;
      scannedAt = Math.min(scannedAt, seg.scanStartedAt);
      total += seg.counts.total;
      seg.routes.forEach((route, i) => byRoute.set(route, (byRoute.get(route) ?? 0) + seg.counts.perRoute[i]!));
    }
    return scannedAt === Infinity ? null : { scannedAt, total, byRoute };
  }

  /** The lease naming who keeps the cluster's session index; null when it has no store. NOT_FOUND: no such cluster. */
  async keeperDuty(db: TDb, cluster: string): Promise<string | null> {
    const c = await this.load(db, cluster);
    return c.clusterId === null ? null : sessionIndexDuty(c.clusterId);
  }

  /**
   * This instance keeps the cluster's session index (always, on one instance). By default `holds`: the
   * index is only read, so a renewal running late must not stop its answers or abort a scan in flight.
   * A new scan starts only where the lease is trusted (`owns`, strict), so two instances never both
   * start one while the lease changes hands.
   */
  private keeps(c: TClusterState, strict = false): boolean {
    if (c.clusterId === null) return false;
    const duty = sessionIndexDuty(c.clusterId);
    return strict ? getOwnership().owns(duty) : getOwnership().holds(duty);
  }

  /** Forget a cluster's stores' configs (after an inventory edit): re-read on next use. */
  invalidate(cluster?: string): void {
    for (const [name, c] of this.clusters) if (cluster === undefined || name === cluster) c.loadedAt = 0;
  }

  /** Stops every scan and forgets every index (tests; shutdown). */
  reset(): void {
    for (const c of this.clusters.values()) for (const s of c.stores.values()) s.running?.abort.abort();
    this.clusters.clear();
    for (const w of this.waiters.splice(0)) w.reject(new Error("session scans were reset"));
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async load(db: TDb, cluster: string): Promise<TClusterState> {
    let c = this.clusters.get(cluster);
    if (c && Date.now() - c.loadedAt < CONFIG_TTL_MS) {
      c.db = db;
      return c;
    }
    const refs = await storeConfigs(db, cluster); // NOT_FOUND for an unknown cluster
    // Another caller may have loaded the cluster while this one awaited: build on its state, or a second
    // state would replace it and its scan in flight (a second scan of the same store would start).
    c = this.clusters.get(cluster);
    if (!c) {
      c = { db, clusterId: null, stores: new Map(), loadedAt: 0, viewedUntil: 0, countsViewedUntil: 0, holds: 0 };
      this.clusters.set(cluster, c);
    }
    c.db = db;
    c.clusterId = refs[0]?.clusterId ?? null;
    c.loadedAt = Date.now();
    const seen = new Set<number>();
    for (const ref of refs) {
      seen.add(ref.id);
      const fingerprint = JSON.stringify([ref.kind, ref.nodes, ref.options]);
      const s = c.stores.get(ref.id);
      if (s && s.fingerprint === fingerprint) {
        s.ref = ref;
        continue;
      }
      // New store, or its nodes/options changed: its old index no longer describes it.
      s?.running?.abort.abort();
      c.stores.set(ref.id, {
        ref,
        fingerprint,
        segment: null,
        running: null,
        wantedAfter: 0,
        error: null,
        lastFinishedAt: 0,
      });
    }
    for (const [id, s] of c.stores)
      if (!seen.has(id)) {
        s.running?.abort.abort();
        c.stores.delete(id);
      }
    return c;
  }

  private wake(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.tick(), 0);
    this.timer.unref();
  }

  /** Starts what is due; keeps ticking only while something is needed or running. */
  private tick(): void {
    this.timer = null;
    const now = Date.now();
    let busy = false;
    for (const c of this.clusters.values()) {
      // Only the keeper scans for viewers and holders; elsewhere a scan runs only when asked (awaitScan).
      const needed = c.viewedUntil > now || c.holds > 0 || c.countsViewedUntil > now;
      const demanded = needed && this.keeps(c);
      const mayStart = needed && this.keeps(c, true);
      for (const s of c.stores.values()) {
        if (!getStoreAdapter(s.ref.kind).capabilities.enumerate) continue;
        if (s.running) {
          busy = true;
          // Nobody needs it any more: a node waiting on a busy crawler stops waiting.
          if (!demanded && !this.waiters.some((w) => w.storeId === s.ref.id)) s.running.abort.abort();
          continue;
        }
        const asked = s.wantedAfter > 0 && s.wantedAfter <= now;
        const interval = this.settings.intervalS * 1000;
        const stale = !s.segment || (interval > 0 && now - s.segment.scanStartedAt >= interval);
        // A store whose scan failed as a whole is retried no faster than the interval (or 10 s).
        const cooled = now - s.lastFinishedAt >= (s.error ? Math.max(interval, 10_000) : 0);
        if ((asked || (mayStart && stale && (interval > 0 || !s.segment))) && cooled) {
          if (this.active >= this.settings.concurrency) {
            busy = true;
            continue;
          }
          this.start(c, s);
          busy = true;
        } else if (demanded || s.wantedAfter > 0) busy = true;
      }
    }
    if (busy) {
      this.timer = setTimeout(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
  }

  private start(c: TClusterState, s: TStoreState): void {
    const startedAt = Date.now();
    s.wantedAfter = 0;
    const abort = new AbortController();
    const running = {
      startedAt,
      scanned: 0,
      nodes: Object.fromEntries(s.ref.nodes.map((n) => [n.id, { state: "waiting" as TNodeScanState, note: null }])),
      abort,
      done: Promise.resolve(),
    };
    s.running = running;
    this.active++;
    running.done = this.scan(s, running)
      .then((segment) => {
        s.segment = segment;
        s.error = null;
        // Shared whoever scanned (normally the keeper; an operation's own scan elsewhere counts as well):
        // the others take the newest. Not only while this instance trusts its lease: a renewal running
        // late at the scan's end would lose the share, and nothing would scan again to send it.
        this.share(s, segment);
        logger.debug(
          {
            store: s.ref.name,
            cluster: s.ref.cluster,
            sessions: segment.ids.length,
            ms: Date.now() - startedAt,
            bytes: segmentBytes(segment),
          },
          "session scan done",
        );
      })
      .catch((err: unknown) => {
        s.error = (err as Error).message;
        logger.warn({ store: s.ref.name, cluster: s.ref.cluster, err: s.error }, "session scan failed");
      })
      .finally(() => {
        this.active--;
        s.running = null;
        s.lastFinishedAt = Date.now();
        this.settle(s);
        this.wake();
      });
  }

  /** One store: every node read (at once; each memcached server's crawler is taken in turn anyway). */
  private async scan(s: TStoreState, running: TRunningScan & { abort: AbortController }): Promise<TStoreSegment> {
    const adapter = getStoreAdapter(s.ref.kind);
    const store = s.ref;
    const builder = new SegmentBuilder(store.name, s.segment, running.startedAt);
    await Promise.all(
      store.nodes.map(async (node) => {
        const progress = running.nodes[node.id]!;
        progress.state = "reading";
        try {
          const hooks = {
            signal: running.abort.signal,
            onBusy(attempt: number) {
              progress.state = "busy";
              progress.note = `${node.id} busy (another crawl holds memcached's crawler), retrying (attempt ${attempt})`;
            },
          };
          for await (const batch of adapter.scanNode!(store, node, hooks)) {
            progress.state = "reading";
            progress.note = null;
            builder.add(node.id, batch);
            running.scanned += batch.sessions.count;
          }
          builder.completeNode(node.id);
          progress.state = "done";
        } catch (err) {
          const message = running.abort.signal.aborted
            ? `${(err as Error).message} (the scan stopped: nobody needs it any more)`
            : (err as Error).message;
          builder.failNode(node.id, message);
          progress.state = "failed";
          progress.note = message;
        }
      }),
    );
    // Swapped in whole, synchronously: a query sees the old index or the new one, never a mix.
    return builder.commit();
  }

  private settle(s: TStoreState): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.storeId !== s.ref.id) continue;
      if (s.segment && s.segment.scanStartedAt >= w.after) {
        this.waiters.splice(i, 1);
        w.resolve();
      } else if (s.error) {
        this.waiters.splice(i, 1);
        w.reject(new Error(`Scan of store ${s.ref.name} failed: ${s.error}`));
      } else s.wantedAfter = Math.max(s.wantedAfter, w.after);
    }
  }
}

/** What a consumer reads about one store: its index (empty before the first scan) and how it is being kept. */
export interface TStoreIndexView {
  ref: TStoreRef;
  /** The kind can list its sessions (otherwise the segment stays empty). */
  indexed: boolean;
  segment: TStoreSegment;
  /** A scan has completed at least once. */
  scanned: boolean;
  running: TRunningScan | null;
  error: string | null;
  /** The keeper's counts, when newer than this instance's own index (several instances). */
  shared: TSharedStoreIndex | null;
}

/** The process's scan coordinator (one per console process; see process-singleton.ts). */
export function sessionScans(): StoreScanCoordinator {
  return processSingleton(
    "session-scans",
    () => new StoreScanCoordinator({ intervalS: 30, demandS: 300, concurrency: 2 }),
  );
}

/** For /metrics: sessions per route from the last scans of the cluster's stores (see countsByRoute). */
export function sessionCountsByRoute(cluster: string) {
  return sessionScans().countsByRoute(cluster);
}

/** For tests: stop every scan and forget every index. */
export function resetSessionIndexes(): void {
  sessionScans().reset();
}
