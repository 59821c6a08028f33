import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TStoreNodeReading } from "@/server/adapters/stores/node-reading";
import type { TRestartImpact } from "@/server/domain/store-health";
import { logger } from "@/server/logger";
import { processSlot } from "@/server/process-singleton";
import { emitEvent, onEvent } from "@/server/poller/event-bus";
import { getOwnership, SINGLE_INSTANCE, type TOwnership } from "@/server/cluster-lease/ownership";
import { HISTORY_DUTY, storeDuty } from "@/server/cluster-lease/duties";
import { sharedPollSemaphore, type Semaphore } from "@/server/poller/semaphore";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { pollStoreNode, sessionsOnNode, type TStoreNodeTarget } from "@/server/store-poller/poll-store-node";
import {
  compactStoreHistory,
  sampleOf,
  writeStoreSamples,
  type TStoreSampleRow,
} from "@/server/store-poller/store-history";
import {
  forgetStoreNodeLive,
  getStoreNodeLive,
  setStoreNodeLive,
  type TStoreNodeLive,
} from "@/server/store-poller/store-live-state";

interface TScheduled {
  target: TStoreNodeTarget;
  timer: NodeJS.Timeout | null;
  running: boolean;
}

/** Raw samples are written together this often. */
const FLUSH_MS = 5_000;
/** The latest poll row is rewritten when the outcome changes, and at least this often. */
const POLL_ROW_REFRESH_MS = 60_000;

/**
 * Store node stats, polled like the frontends: one timer per node on its store's interval, each
 * rescheduled after its own poll ends (a hung node delays only itself, bounded by its timeout), the
 * same semaphore as the frontend poller bounding the sockets open at once. A failed poll is data.
 * Each poll updates the live table, the history (batched) and pushes a "store-polled" event.
 * With several instances (PostgreSQL) a store's nodes are polled only by the owner of the store's lease;
 * the others get its readings through the fan-out.
 */
export class StorePoller {
  private readonly scheduled = new Map<number, TScheduled>();
  private readonly semaphore: Semaphore;
  private readonly pending: TStoreSampleRow[] = [];
  private readonly pollRowAt = new Map<number, { at: number; key: string }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private compactTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly db: TDb,
    concurrency: number,
    private readonly ownership: TOwnership = getOwnership(),
  ) {
    this.semaphore = sharedPollSemaphore(concurrency);
  }

  async start(): Promise<void> {
    await this.reload();
    if (this.ownership !== SINGLE_INSTANCE) this.followLeases();
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_MS);
    this.flushTimer.unref();
    this.compactTimer = setInterval(() => {
      if (!this.ownership.owns(HISTORY_DUTY)) return;
      compactStoreHistory(this.db).catch((err) => logger.warn({ err: String(err) }, "store history compaction failed"));
    }, 60_000);
    this.compactTimer.unref();
  }

  /** Re-reads the stores: new nodes start, removed ones stop, changed ones pick up their settings. */
  async reload(): Promise<void> {
    const stores = await this.db.sessionStore.findMany({
      include: { nodes: true, cluster: { select: { name: true } } },
    });
    const seen = new Set<number>();
    for (const s of stores) {
      let options: Record<string, unknown>;
      try {
        options = getStoreAdapter(s.kind).parseOptions(JSON.parse(s.options) as unknown);
      } catch (err) {
        logger.warn({ store: s.name, err: (err as Error).message }, "store not polled: its options are invalid");
        continue;
      }
      const ref = {
        id: s.id,
        clusterId: s.clusterId,
        cluster: s.cluster.name,
        name: s.name,
        kind: s.kind,
        nodes: s.nodes.map((n) => ({ id: n.name, host: n.host, port: n.port })),
        nodeIds: Object.fromEntries(s.nodes.map((n) => [n.name, n.id])),
        options,
        pollIntervalMs: s.pollIntervalMs,
      };
      for (const n of s.nodes) {
        seen.add(n.id);
        const target: TStoreNodeTarget = {
          store: ref,
          node: { id: n.name, host: n.host, port: n.port },
          storeNodeId: n.id,
          timeoutMs: s.timeoutMs,
        };
        const existing = this.scheduled.get(n.id);
        if (existing) {
          existing.target = target;
          continue;
        }
        const entry: TScheduled = { target, timer: null, running: false };
        this.scheduled.set(n.id, entry);
        await this.seedFromDb(target).catch(() => undefined);
        this.schedule(entry, 0);
      }
    }
    for (const [id, entry] of this.scheduled) {
      if (seen.has(id)) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.scheduled.delete(id);
      forgetStoreNodeLive(id);
    }
  }

  /** Polls one node now (after an inventory change, or to re-check a node the operator is looking at). */
  async pollNow(storeNodeId: number): Promise<void> {
    const entry = this.scheduled.get(storeNodeId);
    if (!entry || entry.running) return;
    if (!this.ownership.owns(storeDuty(entry.target.store.id))) {
      emitEvent("poll-requested", { kind: "store-node", id: storeNodeId });
      return;
    }
    if (entry.timer) clearTimeout(entry.timer);
    await this.tick(entry);
  }

  /** Several instances: poll a store's nodes at once when its lease is taken over, and answer requests. */
  private followLeases(): void {
    this.stops.push(
      this.ownership.onChange((duty, owned) => {
        if (!owned || !duty.startsWith("store:")) return;
        const storeId = Number(duty.slice("store:".length));
        for (const entry of this.scheduled.values())
          if (entry.target.store.id === storeId && !entry.running) {
            if (entry.timer) clearTimeout(entry.timer);
            void this.tick(entry);
          }
      }),
      onEvent("poll-requested", (ev) => {
        const entry = ev.kind === "store-node" ? this.scheduled.get(ev.id) : undefined;
        if (entry && this.ownership.owns(storeDuty(entry.target.store.id))) void this.pollNow(ev.id);
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
    for (const entry of this.scheduled.values()) if (entry.timer) clearTimeout(entry.timer);
    this.scheduled.clear();
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.compactTimer) clearInterval(this.compactTimer);
    await this.flush();
  }

  private schedule(entry: TScheduled, delayMs: number): void {
    if (this.stopped) return;
    entry.timer = setTimeout(() => void this.tick(entry), delayMs);
    entry.timer.unref();
  }

  private async tick(entry: TScheduled): Promise<void> {
    if (!this.scheduled.has(entry.target.storeNodeId)) return;
    if (!this.ownership.owns(storeDuty(entry.target.store.id))) {
      this.schedule(entry, entry.target.store.pollIntervalMs);
      return;
    }
    entry.running = true;
    try {
      const live = await this.semaphore.run(() => pollStoreNode(entry.target));
      const segment = sessionScans().currentSegment(entry.target.store.id);
      this.pending.push(sampleOf(live, sessionsOnNode(segment, live.node, Date.now())));
      await this.persistPoll(live).catch((err) =>
        logger.warn({ err: String(err), store: live.store, node: live.node }, "could not record store poll"),
      );
      emitEvent("store-polled", {
        clusterId: live.clusterId,
        storeId: live.storeId,
        storeNodeId: live.storeNodeId,
        up: live.up ?? false,
      });
    } finally {
      entry.running = false;
      if (this.scheduled.get(entry.target.storeNodeId) === entry)
        this.schedule(entry, entry.target.store.pollIntervalMs);
    }
  }

  /** Writes the samples waiting for the next batch now (before a chart is read, at shutdown). */
  async flush(): Promise<void> {
    const rows = this.pending.splice(0);
    // A node deleted since it was polled has no row to point at: its samples are dropped with it.
    const known = new Set(this.scheduled.keys());
    await writeStoreSamples(
      this.db,
      rows.filter((r) => known.has(r.storeNodeId)),
    ).catch((err) => logger.warn({ err: String(err), rows: rows.length }, "could not record store samples"));
  }

  /** The latest poll row: written when the outcome changes (up/down, error, restart) and every minute. */
  private async persistPoll(live: TStoreNodeLive): Promise<void> {
    const key = JSON.stringify([live.up, live.error, live.restart?.at ?? null]);
    const last = this.pollRowAt.get(live.storeNodeId);
    const now = Date.now();
    if (last && last.key === key && now - last.at < POLL_ROW_REFRESH_MS) return;
    this.pollRowAt.set(live.storeNodeId, { at: now, key });
    const data = {
      up: live.up ?? false,
      error: live.error,
      errorCode: live.errorCode,
      lastPollAt: live.lastPollAt ?? new Date(),
      lastGoodAt: live.lastGoodAt,
      durationMs: live.durationMs ?? 0,
      uptimeSeconds: live.reading?.uptimeSeconds ?? null,
      reading: live.reading ? JSON.stringify({ reading: live.reading, at: live.readingAt }) : null,
      restartedAt: live.restart ? new Date(live.restart.at) : null,
      restart: live.restart ? JSON.stringify(live.restart) : null,
    };
    await this.db.storeNodePoll.upsert({
      where: { storeNodeId: live.storeNodeId },
      create: { storeNodeId: live.storeNodeId, ...data },
      update: data,
    });
  }

  /**
   * After a console restart: the last reading and restart from the database, so the first poll can still
   * tell that the node restarted meanwhile, and the page shows the last state until then.
   */
  private async seedFromDb(target: TStoreNodeTarget): Promise<void> {
    if (getStoreNodeLive(target.storeNodeId)) return;
    const row = await this.db.storeNodePoll.findUnique({ where: { storeNodeId: target.storeNodeId } });
    if (!row) return;
    const saved = row.reading ? (JSON.parse(row.reading) as { reading: TStoreNodeReading; at: number | null }) : null;
    setStoreNodeLive({
      storeNodeId: target.storeNodeId,
      storeId: target.store.id,
      clusterId: target.store.clusterId,
      cluster: target.store.cluster,
      store: target.store.name,
      kind: target.store.kind,
      node: target.node.id,
      host: target.node.host,
      port: target.node.port,
      pollIntervalMs: target.store.pollIntervalMs,
      up: row.up,
      error: row.error,
      errorCode: row.errorCode,
      lastPollAt: row.lastPollAt,
      lastGoodAt: row.lastGoodAt,
      durationMs: row.durationMs,
      downSince: row.up ? null : row.lastPollAt.getTime(),
      reading: saved?.reading ?? null,
      readingAt: saved?.at ?? null,
      restartsDetected: 0,
      counterBase: {},
      rates: null,
      hitRatio: null,
      lookups: null,
      usualHitRatio: null,
      evictingSince: null,
      restart: row.restart ? (JSON.parse(row.restart) as TRestartImpact) : null,
      sessionsWithoutBackup: null,
      state: "unknown",
      warnings: [],
      stale: true,
    });
  }
}

const slot = processSlot<StorePoller>("store-poller");
export function getStorePoller(): StorePoller | undefined {
  return slot.current;
}
export function setStorePoller(p: StorePoller | undefined): void {
  slot.current = p;
}
