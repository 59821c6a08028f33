import type { TDb } from "@/server/db";
import { sharedPollSemaphore, type Semaphore } from "@/server/poller/semaphore";
import { pollFrontend, type TPollTarget } from "@/server/poller/poll-frontend";
import { BUCKET_MS, compactHistory, HistoryRecorder } from "@/server/poller/history";
import { forgetFrontendLive, getFrontendLive, setFrontendLive } from "@/server/poller/live-state";
import { logger } from "@/server/logger";
import { processSlot } from "@/server/process-singleton";
import { emitEvent, isRemoteEvent, onEvent } from "@/server/poller/event-bus";
import { getOwnership, SINGLE_INSTANCE, type TOwnership } from "@/server/cluster-lease/ownership";
import { frontendDuty, HISTORY_DUTY } from "@/server/cluster-lease/duties";

interface TScheduled {
  target: TPollTarget & { pollIntervalMs: number };
  timer: NodeJS.Timeout | null;
  running: boolean;
}

/**
 * One timer per frontend, each rescheduled after its own poll completes: a slow or hung frontend
 * delays only itself (its timeout bounds it), never the others. The semaphore bounds sockets.
 *
 * With several instances (PostgreSQL) a frontend is polled only by the owner of its lease, and the
 * history is written only by the owner of the history duty, from every instance's polls (the others'
 * arrive through the fan-out). A timer of a frontend owned elsewhere just waits for its next turn.
 */
export class Poller {
  private readonly scheduled = new Map<number, TScheduled>();
  private readonly semaphore: Semaphore;
  private readonly history: HistoryRecorder;
  private compactTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly db: TDb,
    concurrency: number,
    private readonly ownership: TOwnership = getOwnership(),
  ) {
    this.semaphore = sharedPollSemaphore(concurrency);
    this.history = new HistoryRecorder(db);
  }

  async start(): Promise<void> {
    await this.reload();
    if (this.ownership !== SINGLE_INSTANCE) this.followLeases();
    this.compactTimer = setInterval(() => {
      if (!this.ownership.owns(HISTORY_DUTY)) return;
      compactHistory(this.db).catch((err) => logger.warn({ err: String(err) }, "history compaction failed"));
    }, 60_000);
    this.compactTimer.unref();
    // One write per history bucket for every frontend together (and their latest poll outcomes).
    this.flushTimer = setInterval(() => void this.flushHistory(), BUCKET_MS);
    this.flushTimer.unref();
  }

  /** Writes the closed history buckets now (tests, shutdown); `everything` also writes the open one. */
  async flushHistory(everything = false): Promise<void> {
    await this.history
      .flush(Date.now(), everything)
      .catch((err) => logger.warn({ err: String(err) }, "history write failed; kept for the next one"));
  }

  /** Re-reads the frontends from the DB: new ones start, removed ones stop, changed ones pick up new settings. */
  async reload(): Promise<void> {
    const rows = await this.db.frontend.findMany({ where: { enabled: true } });
    const seen = new Set<number>();
    for (const row of rows) {
      seen.add(row.id);
      const existing = this.scheduled.get(row.id);
      if (existing) {
        const intervalChanged = existing.target.pollIntervalMs !== row.pollIntervalMs;
        existing.target = row;
        // A waiting timer was set with the old interval: a frontend moved from 1 h to 2 s would otherwise
        // wait out the hour. A poll in flight reschedules itself with the new one when it ends.
        if (intervalChanged && existing.timer && !existing.running) {
          clearTimeout(existing.timer);
          this.schedule(existing, row.pollIntervalMs);
        }
        continue;
      }
      const entry: TScheduled = { target: row, timer: null, running: false };
      this.scheduled.set(row.id, entry);
      this.seedFromDb(row.id, row.clusterId).catch(() => undefined);
      this.schedule(entry, 0);
    }
    for (const [id, entry] of this.scheduled) {
      if (seen.has(id)) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.scheduled.delete(id);
      forgetFrontendLive(id);
      this.history.forget(id);
    }
  }

  /**
   * Polls one frontend now (after an action, so the pages need not wait for the next tick). A frontend
   * owned by another instance is polled by its owner, asked through the fan-out; this waits for that
   * poll's result to arrive (bounded by the frontend's timeout and a second).
   */
  async pollNow(frontendId: number): Promise<void> {
    const entry = this.scheduled.get(frontendId);
    if (!entry || entry.running) return;
    if (!this.ownership.owns(frontendDuty(frontendId))) return this.askOwner(entry);
    if (entry.timer) clearTimeout(entry.timer);
    await this.tick(entry);
  }

  private async askOwner(entry: TScheduled): Promise<void> {
    const frontendId = entry.target.id;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, entry.target.timeoutMs + 1_000);
      const off = onEvent("frontend-polled", (ev) => {
        if (ev.frontendId === frontendId && isRemoteEvent(ev)) done();
      });
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
      emitEvent("poll-requested", { kind: "frontend", id: frontendId });
    });
  }

  /** Several instances: poll at once what was just taken over, answer other instances' requests, record their polls. */
  private followLeases(): void {
    this.stops.push(
      this.ownership.onChange((duty, owned) => {
        if (!owned || !duty.startsWith("frontend:")) return;
        const entry = this.scheduled.get(Number(duty.slice("frontend:".length)));
        if (entry && !entry.running) {
          if (entry.timer) clearTimeout(entry.timer);
          void this.tick(entry);
        }
      }),
      onEvent("poll-requested", (ev) => {
        if (ev.kind === "frontend" && this.ownership.owns(frontendDuty(ev.id))) void this.pollNow(ev.id);
      }),
      onEvent("frontend-polled", (ev) => {
        if (!isRemoteEvent(ev) || !this.ownership.owns(HISTORY_DUTY) || !this.scheduled.has(ev.frontendId)) return;
        const live = getFrontendLive(ev.frontendId);
        if (live) this.history.record(live);
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
    for (const entry of this.scheduled.values()) if (entry.timer) clearTimeout(entry.timer);
    this.scheduled.clear();
    if (this.compactTimer) clearInterval(this.compactTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
  }

  private schedule(entry: TScheduled, delayMs: number): void {
    if (this.stopped) return;
    entry.timer = setTimeout(() => void this.tick(entry), delayMs);
    entry.timer.unref();
  }

  private async tick(entry: TScheduled): Promise<void> {
    if (!this.scheduled.has(entry.target.id)) return;
    if (!this.ownership.owns(frontendDuty(entry.target.id))) {
      this.schedule(entry, entry.target.pollIntervalMs);
      return;
    }
    entry.running = true;
    try {
      const recorder = this.ownership.owns(HISTORY_DUTY) ? this.history : null;
      await this.semaphore.run(() => pollFrontend(entry.target, recorder));
    } finally {
      entry.running = false;
      if (this.scheduled.get(entry.target.id) === entry) this.schedule(entry, entry.target.pollIntervalMs);
    }
  }

  /** After a console restart, show "last good" from the DB until the first poll answers. */
  private async seedFromDb(frontendId: number, clusterId: number): Promise<void> {
    if (getFrontendLive(frontendId)) return;
    const poll = await this.db.frontendPoll.findUnique({ where: { frontendId } });
    if (!poll || getFrontendLive(frontendId)) return;
    setFrontendLive({
      frontendId,
      clusterId,
      up: poll.up,
      error: poll.error,
      errorCode: poll.errorCode,
      lastPollAt: poll.lastPollAt,
      lastGoodAt: poll.lastGoodAt,
      durationMs: poll.durationMs,
      members: [],
      stale: true,
      balancerRaw: {},
    });
  }
}

const pollerSlot = processSlot<Poller>("poller");
export function getPoller(): Poller | undefined {
  return pollerSlot.current;
}
export function setPoller(p: Poller): void {
  pollerSlot.current = p;
}
