import type { TDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { onEvent } from "@/server/poller/event-bus";
import { getFrontendLive } from "@/server/poller/live-state";
import { ClusterViewModel, type TClusterView, type TClusterViewDelta } from "@/server/services/clusters/cluster-view";
import { encodeMemberRows } from "@/server/services/clusters/cluster-view-schema";

/**
 * The live stream of one cluster: a full snapshot when a browser connects, then only what changed.
 * One feed per cluster, shared by every viewer of it (its model is updated once per poll, however many
 * browsers watch), started by the first subscriber and stopped after the last leaves.
 *
 * - delta: after a poll, the frontend's poll outcome and the rows of the members whose state changed
 *   there (none when only counters moved); after an inventory or intent change, the rows that differ.
 * - metrics: every METRICS_INTERVAL_MS, rates and in-flight counts of the rows whose numbers moved.
 * - snapshot: on connect, and again when a browser fell so far behind that catching up would cost more.
 */
export type TMetricsCells = Array<[number | null, number, number | null] | null>;
export type TLiveFrame =
  | { type: "snapshot"; view: TClusterView }
  | ({ type: "delta" } & TClusterViewDelta)
  | { type: "metrics"; at: Date; rows: Record<string, TMetricsCells> };

/** A frame as it travels (ZLiveFrame): member rows as JSON text, checked against their schema first. */
export function wireFrame(frame: TLiveFrame) {
  if (frame.type === "snapshot") {
    const { members, ...rest } = frame.view;
    return { type: frame.type, ...rest, members: encodeMemberRows(members) };
  }
  if (frame.type === "delta") return { ...frame, members: encodeMemberRows(frame.members) };
  return frame;
}

export const METRICS_INTERVAL_MS = 10_000;
/** Frames queued for one browser before it gets a fresh snapshot instead of the backlog. */
const MAX_QUEUED = 100;

interface TSubscriber {
  queue: TLiveFrame[];
  resync: boolean;
  wake: (() => void) | null;
}

class ClusterFeed {
  readonly subscribers = new Set<TSubscriber>();
  private readonly stops: Array<() => void> = [];
  private lastMetrics = new Map<string, string>();
  private reloading: Promise<void> = Promise.resolve();
  closed = false;

  constructor(
    private readonly db: TDb,
    readonly model: ClusterViewModel,
    private readonly onClose: () => void,
  ) {
    const clusterId = model.clusterId;
    this.stops.push(
      onEvent("frontend-polled", (ev) => {
        if (ev.clusterId !== clusterId) return;
        this.publish(this.model.applyPoll(ev.frontendId, ev.changed));
      }),
      onEvent("inventory-changed", (ev) => {
        if (ev.clusterId === null || ev.clusterId === clusterId) this.reload();
      }),
      onEvent("intent-changed", (ev) => {
        if (ev.clusterId === clusterId) this.reload();
      }),
    );
    const timer = setInterval(() => this.publishMetrics(), METRICS_INTERVAL_MS);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
    this.lastMetrics = new Map(Object.entries(model.metrics()).map(([k, v]) => [k, JSON.stringify(v)]));
  }

  snapshot(): TLiveFrame {
    return { type: "snapshot", view: this.model.view() };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stops) stop();
    this.onClose();
    for (const s of this.subscribers) s.wake?.();
  }

  /** Inventory edits come one after another: reloads are serialized so the last one wins. */
  private reload(): void {
    this.reloading = this.reloading.then(async () => {
      const inventory = await this.db.cluster.findUnique({
        where: { id: this.model.clusterId },
        include: { members: { orderBy: { name: "asc" } }, frontends: { orderBy: { name: "asc" } } },
      });
      if (!inventory) {
        this.close();
        return;
      }
      this.publish(this.model.replaceInventory(inventory));
    });
    this.reloading = this.reloading.catch((err) =>
      logger.warn({ err: String(err), clusterId: this.model.clusterId }, "live view reload failed"),
    );
  }

  private publish(delta: TClusterViewDelta): void {
    const size = delta.frontends.length + delta.polls.length + delta.members.length + delta.removed.length;
    if (size === 0 && delta.cluster === null) return;
    this.send({ type: "delta", ...delta });
  }

  private publishMetrics(): void {
    const rows: Record<string, TMetricsCells> = {};
    const seen = new Map<string, string>();
    for (const [key, cells] of Object.entries(this.model.metrics())) {
      const text = JSON.stringify(cells);
      seen.set(key, text);
      if (this.lastMetrics.get(key) !== text) rows[key] = cells;
    }
    this.lastMetrics = seen;
    if (Object.keys(rows).length > 0) this.send({ type: "metrics", at: new Date(), rows });
  }

  private send(frame: TLiveFrame): void {
    for (const s of this.subscribers) {
      if (s.resync) continue;
      if (s.queue.length >= MAX_QUEUED) {
        s.queue = [];
        s.resync = true;
      } else s.queue.push(frame);
      s.wake?.();
    }
  }
}

// One registry per process on globalThis, beside the event bus (Next.js may bundle this module twice).
const g = globalThis as unknown as { __clusterdeckFeeds?: Map<number, Promise<ClusterFeed>> };
function feeds(): Map<number, Promise<ClusterFeed>> {
  g.__clusterdeckFeeds ??= new Map();
  return g.__clusterdeckFeeds;
}

async function acquireFeed(db: TDb, name: string): Promise<ClusterFeed> {
  const found = await db.cluster.findUnique({ where: { name }, select: { id: true } });
  if (!found) throw new AppError("NOT_FOUND", `No cluster named "${name}"`);
  let feed = feeds().get(found.id);
  if (!feed) {
    feed = (async () => {
      const inventory = await db.cluster.findUniqueOrThrow({
        where: { id: found.id },
        include: { members: { orderBy: { name: "asc" } }, frontends: { orderBy: { name: "asc" } } },
      });
      return new ClusterFeed(db, new ClusterViewModel(inventory, getFrontendLive), () => feeds().delete(found.id));
    })();
    feeds().set(found.id, feed);
    feed.catch(() => feeds().delete(found.id));
  }
  return feed;
}

/** The frames one browser receives, until `signal` aborts (the SSE connection closed). */
export async function* subscribeCluster(
  db: TDb,
  name: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<TLiveFrame> {
  let feed = await acquireFeed(db, name);
  // The last viewer may have left (closing the feed) while this one was connecting.
  while (feed.closed) feed = await acquireFeed(db, name);
  const sub: TSubscriber = { queue: [], resync: false, wake: null };
  feed.subscribers.add(sub);
  const onAbort = () => sub.wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    yield feed.snapshot();
    while (!signal?.aborted && !feed.closed) {
      if (sub.resync) {
        sub.resync = false;
        yield feed.snapshot();
        continue;
      }
      const frame = sub.queue.shift();
      if (frame) {
        yield frame;
        continue;
      }
      await new Promise<void>((resolve) => (sub.wake = resolve));
      sub.wake = null;
    }
    if (feed.closed && !signal?.aborted) throw new AppError("NOT_FOUND", `The cluster "${name}" was deleted`);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    feed.subscribers.delete(sub);
    if (feed.subscribers.size === 0) feed.close();
  }
}
