import type { TDb } from "@/server/db";
import { ALERT_RULE_IDS, defaultRuleSettings, type TAlertRuleId, type TRuleSetting } from "@/server/domain/alert-rules";
import { logger } from "@/server/logger";
import { emitEvent, isRemoteEvent, onEvent } from "@/server/poller/event-bus";
import { getOwnership, SINGLE_INSTANCE, type TOwnership } from "@/server/cluster-lease/ownership";
import { ALERTS_DUTY } from "@/server/cluster-lease/duties";
import { askOwner, HERE } from "@/server/fanout/ask-owner";
import { processSlot } from "@/server/process-singleton";
import type { InventoryCache } from "@/server/services/clusters/inventory-cache";
import { evaluateConditions, type TFailedOperation, type TOpenRollout } from "@/server/services/alerts/conditions";
import { silencedBy, type TActiveSilence } from "@/server/services/alerts/silences";
import { AlertTracker, type TTrackedAlert } from "@/server/services/alerts/tracker";
import { queueAlertEvent } from "@/server/services/notifications/outbox";
import type { TAlertPayload } from "@/server/services/notifications/payload";
import { DeliveryWorker, type TDeliveryOptions } from "@/server/services/notifications/worker";
import { listStoreNodeLive } from "@/server/store-poller/store-live-state";

const FINISHED_ROLLOUT = new Set(["done", "aborted"]);
/** Store nodes are polled every 10 s by default: after this long every node of a cluster has answered or failed. */
const STORE_READY_MS = 30_000;

export interface TAlertEngineOptions {
  /** How often every cluster is judged again without a poll (delays that end, silences that end). */
  tickMs: number;
  delivery?: TDeliveryOptions;
}

const slot = processSlot<AlertEngine>("alert-engine");

/** The process's alert engine once the console started it (services tell it about changes). */
export function getAlertEngine(): AlertEngine | undefined {
  return slot.current;
}

export function payloadOf(a: TTrackedAlert, status: "firing" | "resolved", endsAt: number | null): TAlertPayload {
  return {
    fingerprint: a.fingerprint,
    status,
    labels: a.labels,
    annotations: { summary: a.summary, description: a.description },
    activeSince: new Date(a.activeSince).toISOString(),
    startsAt: new Date(a.firing?.startsAt ?? a.activeSince).toISOString(),
    endsAt: endsAt === null ? null : new Date(endsAt).toISOString(),
    generatorURL: null,
  };
}

/**
 * Judges every cluster's alert rules on each poll of one of its frontends or store nodes (and on rollout
 * and operation events), from memory: the inventory cache's view, the store poller's live table, and
 * rollout and operation states kept from their events. It writes only transitions (fired, resolved) and
 * queues their notifications in the outbox in the same pass; the delivery worker sends them apart, so a
 * slow receiver never delays a poll.
 *
 * With several instances (PostgreSQL) only the owner of the "alerts" lease judges (every instance has
 * every poll through the fan-out); an instance that takes the lease over starts from the database's
 * firing alerts, so an alert fired by the dead owner is followed, not fired again.
 */
export class AlertEngine {
  tracker = new AlertTracker();
  readonly delivery: DeliveryWorker;
  private readonly settings = new Map<number, Record<TAlertRuleId, TRuleSetting>>();
  private silences: TActiveSilence[] = [];
  private readonly notified = new Set<number>();
  private readonly rollouts = new Map<string, Map<number, TOpenRollout>>();
  private readonly operations = new Map<string, Map<string, TFailedOperation & { state: string }>>();
  private readonly scheduled = new Set<number>();
  private readonly stops: Array<() => void> = [];
  private writes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = Date.now();

  constructor(
    private readonly db: TDb,
    private readonly cache: InventoryCache,
    private readonly options: TAlertEngineOptions = { tickMs: 5_000 },
    private readonly ownership: TOwnership = getOwnership(),
  ) {
    this.delivery = new DeliveryWorker(db, () => this.firingForResendFromOwner(), options.delivery, ownership);
  }

  async start(): Promise<void> {
    this.startedAt = Date.now();
    await Promise.all([this.loadSettings(), this.loadSilences(), this.loadWork(), this.adoptFiring()]);
    this.stops.push(
      onEvent("frontend-polled", (ev) => this.schedule(ev.clusterId)),
      onEvent("store-polled", (ev) => this.schedule(ev.clusterId)),
      onEvent("rollout-changed", (ev) => {
        const m = this.mapOf(this.rollouts, ev.cluster);
        if (FINISHED_ROLLOUT.has(ev.state)) m.delete(ev.id);
        else m.set(ev.id, { id: ev.id, state: ev.state, message: ev.message });
        this.scheduleByName(ev.cluster);
      }),
      onEvent("operation-changed", (ev) => {
        const m = this.mapOf(this.operations, ev.cluster);
        const key = `${ev.kind}\u0000${ev.target}`;
        if ((m.get(key)?.id ?? 0) <= ev.id) m.set(key, { ...ev });
        this.scheduleByName(ev.cluster);
      }),
      this.cache.onChange((id) => (id === null ? this.scheduleAll() : this.schedule(id))),
    );
    if (this.ownership !== SINGLE_INSTANCE) this.followLease();
    this.timer = setInterval(() => this.scheduleAll(), this.options.tickMs);
    this.timer.unref();
    await this.delivery.start();
    this.scheduleAll();
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    if (this.timer) clearInterval(this.timer);
    this.delivery.stop();
  }

  /** Resolves once every evaluation and write asked for so far is done (tests). */
  async settled(): Promise<void> {
    while (this.scheduled.size > 0) await new Promise((r) => setImmediate(r));
    await this.writes;
  }

  /** A cluster's rule settings changed (settings page): read them again and judge the cluster anew. */
  async settingsChanged(clusterId: number): Promise<void> {
    await this.loadSettings(clusterId);
    this.schedule(clusterId);
    emitEvent("alert-config-changed", { clusterId });
  }

  /** Silences were added or lifted. */
  async silencesChanged(): Promise<void> {
    await this.loadSilences();
    this.scheduleAll();
    emitEvent("alert-config-changed", { clusterId: null });
  }

  /**
   * Several instances: settings changed on another instance are read again here; taking the lease over
   * starts again from the database (the previous owner's firing alerts, settings, silences, open work).
   */
  private followLease(): void {
    this.stops.push(
      onEvent("alert-config-changed", (ev) => {
        if (!isRemoteEvent(ev)) return;
        const reload = ev.clusterId === null ? this.loadSilences() : this.loadSettings(ev.clusterId);
        reload
          .then(() => this.scheduleAll())
          .catch((err) => logger.warn({ err: String(err) }, "alert settings reload failed"));
      }),
      this.ownership.onChange((duty, owned) => {
        if (duty !== ALERTS_DUTY || !owned) return;
        this.takeOver().catch((err) => logger.error({ err: String(err) }, "alert engine takeover failed"));
      }),
    );
  }

  private async takeOver(): Promise<void> {
    await this.writes;
    this.tracker = new AlertTracker();
    this.notified.clear();
    this.rollouts.clear();
    this.operations.clear();
    this.startedAt = Date.now();
    await Promise.all([this.loadSettings(), this.loadSilences(), this.loadWork(), this.adoptFiring()]);
    this.scheduleAll();
  }

  settingsOf(clusterId: number): Record<TAlertRuleId, TRuleSetting> {
    return this.settings.get(clusterId) ?? defaultRuleSettings();
  }

  silenceOf(labels: Record<string, string>): TActiveSilence | null {
    return silencedBy(labels, this.silences, Date.now());
  }

  /**
   * firingForResend as the `alerts` owner knows it: several instances may give `delivery` (which re-sends)
   * and `alerts` (which alone follows the firing alerts) to two instances. Before asking, a delivery owner
   * without `alerts` re-sent nothing, and Alertmanager let the firing alerts expire.
   */
  private async firingForResendFromOwner(): Promise<TAlertPayload[]> {
    const question = { kind: "firing-for-resend" } as const;
    const asked = await askOwner<TAlertPayload[]>(ALERTS_DUTY, question, "the firing alerts to re-send");
    return asked === HERE ? this.firingForResend() : asked;
  }

  /** Firing alerts that receivers were told about and that no silence covers: what Alertmanager gets again. */
  firingForResend(): TAlertPayload[] {
    const now = Date.now();
    return this.tracker
      .firing()
      .filter((a) => this.notified.has(a.firing!.alertId) && !silencedBy(a.labels, this.silences, now))
      .map((a) => payloadOf(a, "firing", null));
  }

  private mapOf<K, V>(outer: Map<string, Map<K, V>>, cluster: string): Map<K, V> {
    let m = outer.get(cluster);
    if (!m) outer.set(cluster, (m = new Map()));
    return m;
  }

  private scheduleByName(cluster: string): void {
    const c = this.cache.byName(cluster);
    if (c) this.schedule(c.id);
  }

  private scheduleAll(): void {
    if (!this.ownership.owns(ALERTS_DUTY)) return;
    for (const c of this.cache.all()) this.schedule(c.id);
    this.notifyUnsilenced();
    // Clusters deleted meanwhile: their firing alerts end.
    const names = new Set(this.cache.all().map((c) => c.name));
    for (const name of this.tracker.clusterNames())
      if (!names.has(name)) for (const a of this.tracker.forgetCluster(name)) this.enqueueWrite(() => this.resolve(a));
  }

  /** Evaluations are coalesced: several polls of one cluster in one turn of the event loop judge it once. */
  private schedule(clusterId: number): void {
    if (this.scheduled.has(clusterId) || !this.ownership.owns(ALERTS_DUTY)) return;
    this.scheduled.add(clusterId);
    setImmediate(() => {
      this.scheduled.delete(clusterId);
      try {
        this.evaluate(clusterId);
      } catch (err) {
        logger.error({ err, clusterId }, "alert evaluation failed");
      }
    });
  }

  private evaluate(clusterId: number): void {
    const view = this.cache.view(clusterId);
    if (!view) return;
    const name = view.cluster.name;
    const now = Date.now();
    const settings = this.settingsOf(clusterId);
    const storeNodes = listStoreNodeLive(clusterId);
    const conditions = evaluateConditions({
      view,
      storeNodes,
      rollouts: [...(this.rollouts.get(name)?.values() ?? [])],
      failedOperations: [...(this.operations.get(name)?.values() ?? [])].filter((o) => o.state === "failed"),
      settings,
      intendedAt: new Map(
        (this.cache.byId(clusterId)?.members ?? []).map((m) => [m.name, m.intendedAt?.getTime() ?? 0]),
      ),
      now,
    });
    const ready =
      view.frontends.every((f) => !f.enabled || f.lastPollAt !== null) &&
      (now - this.startedAt >= STORE_READY_MS || storeNodes.every((n) => n.up !== null));
    const { fire, resolve } = this.tracker.step(name, conditions, settings, now, ready);
    for (const a of fire) {
      // Marked at once (id filled in by the write) so the next evaluation does not fire it again.
      this.tracker.markFiring(a, 0, now);
      this.enqueueWrite(() => this.fire(a, now));
    }
    for (const a of resolve) this.enqueueWrite(() => this.resolve(a));
  }

  private enqueueWrite(fn: () => Promise<void>): void {
    this.writes = this.writes.then(fn).catch((err) => logger.error({ err }, "alert write failed"));
  }

  private async fire(a: TTrackedAlert, startsAt: number): Promise<void> {
    let row: { id: number; startsAt: Date; notifiedAt: Date | null };
    try {
      row = await this.db.alert.create({
        data: {
          fingerprint: a.fingerprint,
          openFingerprint: a.fingerprint,
          rule: a.rule,
          cluster: a.cluster,
          labels: JSON.stringify(a.labels),
          summary: a.summary,
          description: a.description,
          state: "firing",
          activeSince: new Date(a.activeSince),
          startsAt: new Date(startsAt),
        },
      });
    } catch (err) {
      // Already firing (written by a run that stopped before it could follow it): carry on with that row.
      if ((err as { code?: string }).code !== "P2002") {
        this.tracker.drop(a);
        throw err;
      }
      row = await this.db.alert.findUniqueOrThrow({ where: { openFingerprint: a.fingerprint } });
    }
    this.tracker.markFiring(a, row.id, row.startsAt.getTime());
    if (row.notifiedAt) this.notified.add(row.id);
    else await this.notifyFiring(a);
    logger.info({ alert: a.labels.alertname, labels: a.labels, id: row.id }, "alert firing");
  }

  private async notifyFiring(a: TTrackedAlert): Promise<void> {
    const id = a.firing!.alertId;
    if (this.notified.has(id) || silencedBy(a.labels, this.silences, Date.now())) return;
    await queueAlertEvent(this.db, id, "firing", payloadOf(a, "firing", null));
    await this.db.alert.update({ where: { id }, data: { notifiedAt: new Date() } });
    this.notified.add(id);
    this.delivery.kick();
  }

  private async resolve(a: TTrackedAlert): Promise<void> {
    const id = a.firing!.alertId;
    const endsAt = Date.now();
    await this.db.alert.update({
      where: { id },
      data: { state: "resolved", endsAt: new Date(endsAt), openFingerprint: null },
    });
    if (this.notified.delete(id)) {
      await queueAlertEvent(this.db, id, "resolved", payloadOf(a, "resolved", endsAt));
      this.delivery.kick();
    }
    logger.info({ alert: a.labels.alertname, labels: a.labels, id }, "alert resolved");
  }

  /** Firing alerts whose silence ended are told now (checked on every tick through scheduleAll). */
  private notifyUnsilenced(): void {
    const now = Date.now();
    for (const a of this.tracker.firing())
      if (a.firing!.alertId > 0 && !this.notified.has(a.firing!.alertId) && !silencedBy(a.labels, this.silences, now))
        this.enqueueWrite(() => this.notifyFiring(a));
  }

  private async loadSettings(clusterId?: number): Promise<void> {
    const rows = await this.db.alertRuleSetting.findMany({ where: clusterId === undefined ? {} : { clusterId } });
    if (clusterId !== undefined) this.settings.delete(clusterId);
    else this.settings.clear();
    for (const r of rows) {
      if (!(ALERT_RULE_IDS as readonly string[]).includes(r.rule)) continue;
      let s = this.settings.get(r.clusterId);
      if (!s) this.settings.set(r.clusterId, (s = defaultRuleSettings()));
      s[r.rule as TAlertRuleId] = { enabled: r.enabled, forSeconds: r.forSeconds, threshold: r.threshold };
    }
  }

  private async loadSilences(): Promise<void> {
    const rows = await this.db.alertSilence.findMany({ where: { endsAt: { gt: new Date() }, expiredAt: null } });
    this.silences = rows.map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers) as Record<string, string>,
      endsAt: r.endsAt.getTime(),
    }));
    this.notifyUnsilenced();
  }

  private async loadWork(): Promise<void> {
    const [rollouts, operations] = await Promise.all([
      this.db.rollout.findMany({
        where: { state: { notIn: [...FINISHED_ROLLOUT] } },
        select: { id: true, cluster: true, state: true, message: true },
      }),
      this.db.operation.findMany({
        select: { id: true, cluster: true, kind: true, target: true, state: true, message: true },
        orderBy: { id: "asc" },
      }),
    ]);
    for (const r of rollouts) this.mapOf(this.rollouts, r.cluster).set(r.id, r);
    for (const o of operations) this.mapOf(this.operations, o.cluster).set(`${o.kind}\u0000${o.target}`, o);
  }

  private async adoptFiring(): Promise<void> {
    const rows = await this.db.alert.findMany({ where: { state: "firing" } });
    for (const r of rows) {
      if (!(ALERT_RULE_IDS as readonly string[]).includes(r.rule)) continue;
      this.tracker.adopt({
        fingerprint: r.fingerprint,
        rule: r.rule as TAlertRuleId,
        cluster: r.cluster,
        labels: JSON.parse(r.labels) as Record<string, string>,
        summary: r.summary,
        description: r.description,
        activeSince: r.activeSince.getTime(),
        firing: { alertId: r.id, startsAt: r.startsAt.getTime() },
      });
      if (r.notifiedAt) this.notified.add(r.id);
    }
  }
}

/** Starts the process's engine (console start-up). */
export async function startAlerts(db: TDb, cache: InventoryCache, options?: TAlertEngineOptions): Promise<AlertEngine> {
  if (slot.current) return slot.current;
  const engine = new AlertEngine(db, cache, options);
  slot.current = engine;
  await engine.start();
  return engine;
}

/** Stops and forgets the process's engine (tests). */
export function stopAlerts(): void {
  slot.current?.stop();
  slot.current = undefined;
}
