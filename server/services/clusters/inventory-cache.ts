import type { TDb } from "@/server/db";
import { logger } from "@/server/logger";
import { onEvent } from "@/server/poller/event-bus";
import { getFrontendLive } from "@/server/poller/live-state";
import { processSlot } from "@/server/process-singleton";
import { buildClusterView, type TClusterInventory, type TClusterView } from "@/server/services/clusters/cluster-view";

const INCLUDE = { members: { orderBy: { name: "asc" } }, frontends: { orderBy: { name: "asc" } } } as const;

/**
 * Every cluster's inventory (members with their intended state, frontends) in memory, kept in step
 * with the database by events: an inventory edit reloads its cluster, a recorded intent too. What runs
 * on every poll and every scrape (alert evaluation, /metrics) reads the views from here and the live
 * table, so neither queries the database nor polls anything a second time.
 */
export class InventoryCache {
  private readonly clusters = new Map<number, TClusterInventory>();
  private readonly listeners = new Set<(clusterId: number | null) => void>();
  private readonly stops: Array<() => void> = [];
  // Reloads run one after another so the last edit wins.
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly db: TDb) {}

  /** Loads every cluster, then follows the events. */
  async start(): Promise<void> {
    await this.reloadAll();
    this.stops.push(
      onEvent("inventory-changed", (ev) => this.enqueue(ev.clusterId)),
      onEvent("intent-changed", (ev) => this.enqueue(ev.clusterId)),
    );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Resolves once every reload asked for so far is done (tests, and callers that just changed something). */
  settled(): Promise<void> {
    return this.queue;
  }

  all(): TClusterInventory[] {
    return [...this.clusters.values()];
  }

  byId(id: number): TClusterInventory | undefined {
    return this.clusters.get(id);
  }

  byName(name: string): TClusterInventory | undefined {
    for (const c of this.clusters.values()) if (c.name === name) return c;
    return undefined;
  }

  /** The cluster view as of now, from the live table (O(members × frontends), no I/O). */
  view(clusterId: number): TClusterView | undefined {
    const inventory = this.clusters.get(clusterId);
    return inventory ? buildClusterView(inventory, getFrontendLive) : undefined;
  }

  /** Called after a cluster was reloaded (null: all of them); a deleted cluster is reported by its id too. */
  onChange(listener: (clusterId: number | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private enqueue(clusterId: number | null): void {
    this.queue = this.queue
      .then(() => (clusterId === null ? this.reloadAll() : this.reloadOne(clusterId)))
      .catch((err) => logger.warn({ err: String(err), clusterId }, "inventory cache reload failed"));
  }

  private async reloadAll(): Promise<void> {
    const rows = await this.db.cluster.findMany({ include: INCLUDE, orderBy: { name: "asc" } });
    this.clusters.clear();
    for (const row of rows) this.clusters.set(row.id, row);
    this.notify(null);
  }

  private async reloadOne(clusterId: number): Promise<void> {
    const row = await this.db.cluster.findUnique({ where: { id: clusterId }, include: INCLUDE });
    if (row) this.clusters.set(row.id, row);
    else this.clusters.delete(clusterId);
    this.notify(clusterId);
  }

  private notify(clusterId: number | null): void {
    for (const listener of this.listeners) {
      try {
        listener(clusterId);
      } catch (err) {
        logger.error({ err, clusterId }, "inventory cache listener failed");
      }
    }
  }
}

const slot = processSlot<InventoryCache>("inventory-cache");
export function getInventoryCache(): InventoryCache | undefined {
  return slot.current;
}
export function setInventoryCache(cache: InventoryCache | undefined): void {
  slot.current = cache;
}
