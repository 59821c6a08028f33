import { logger } from "@/server/logger";
import type { TOwnership } from "@/server/cluster-lease/ownership";
import { pickDuties, planLeases } from "@/server/cluster-lease/lease-plan";
import type { TLeaseStore } from "@/server/cluster-lease/lease-store";

export interface TLeaseManagerOptions {
  instanceId: string;
  /** How long a lease lasts without renewal; a dead owner's duty is free after at most this long. */
  ttlMs: number;
  /** Every duty that exists now (the inventory's frontends and stores, and the global duties). */
  listDuties: () => Promise<string[]>;
  /** Monotonic clock in ms (tests pass their own). */
  clock?: () => number;
}

interface THeld {
  token: number;
  /** Local monotonic time after which the lease is no longer trusted, whatever the database says. */
  until: number;
}

/**
 * Holds this instance's leases: every round (ttl / 3) it beats its heartbeat, renews what it holds, gives
 * up what is gone or above its share, and claims free duties up to its share. A duty is owned locally only
 * until (start of the renewing query + ttl − one round), which is before the database lets anyone else
 * take it: a paused or cut-off instance stops working before another starts. A dead owner's duties are
 * free ttl after its last renewal and claimed in the next round, so within ttl + ttl / 3.
 */
export class LeaseManager implements TOwnership {
  private readonly held = new Map<string, THeld>();
  /** Job duties: claimed by the job's runner, kept out of the shares and the plan. */
  private readonly pinned = new Set<string>();
  private readonly listeners = new Set<(duty: string, owned: boolean) => void>();
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: TLeaseStore,
    private readonly options: TLeaseManagerOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  get roundMs(): number {
    return Math.max(50, Math.floor(this.options.ttlMs / 3));
  }

  owns(duty: string): boolean {
    const h = this.held.get(duty);
    return h !== undefined && this.clock() < h.until;
  }

  /** Held, with one more TTL of grace past the trusted window (a round that failed outright ends it then). */
  holds(duty: string): boolean {
    const h = this.held.get(duty);
    return h !== undefined && this.clock() < h.until + this.options.ttlMs;
  }

  tokenOf(duty: string): number | null {
    return this.owns(duty) ? this.held.get(duty)!.token : null;
  }

  /** Duties held now (diagnostics and tests). */
  ownedDuties(): string[] {
    return [...this.held.keys()].filter((d) => this.owns(d)).sort();
  }

  onChange(listener: (duty: string, owned: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async pin(duty: string): Promise<boolean> {
    if (this.stopped) return false;
    if (!this.owns(duty)) {
      const until = this.clock() + this.options.ttlMs - this.roundMs;
      const won = await this.store.acquire(this.options.instanceId, [duty], this.options.ttlMs);
      const token = won.get(duty);
      if (token === undefined) return false;
      this.keep(duty, token, until);
    }
    this.pinned.add(duty);
    return true;
  }

  async unpin(duty: string): Promise<void> {
    if (!this.pinned.delete(duty)) return;
    this.drop(duty);
    await this.store.release(this.options.instanceId, [duty]);
  }

  async stillOwns(duty: string): Promise<boolean> {
    const token = this.tokenOf(duty);
    return token !== null && (await this.store.holds(this.options.instanceId, duty, token));
  }

  /** First round at once (so the caller starts owning its share), then one per ttl / 3. */
  async start(): Promise<void> {
    await this.round();
    this.schedule();
  }

  /** Stops renewing and frees everything at once, so the others take over in their next round. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    const lost = [...this.held.keys()];
    this.held.clear();
    this.pinned.clear();
    for (const d of lost) this.emit(d, false);
    await this.store.leave(this.options.instanceId).catch(() => undefined);
  }

  /** One round of heartbeat, renewal, release and claims (exported for tests that drive the clock). */
  round(): Promise<void> {
    this.running ??= this.doRound()
      .catch((err) => logger.warn({ err: String(err) }, "lease round failed; leases not renewed are given up"))
      .finally(() => (this.running = null));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.round().finally(() => this.schedule()), this.roundMs);
    this.timer.unref();
  }

  private async doRound(): Promise<void> {
    const { instanceId, ttlMs } = this.options;
    const started = this.clock();
    const until = started + ttlMs - this.roundMs;
    await this.store.heartbeat(instanceId, ttlMs);
    const renewed = await this.store.renew(instanceId, ttlMs);
    for (const d of [...this.held.keys()]) if (!renewed.has(d)) this.drop(d);
    for (const [d, token] of renewed) this.keep(d, token, until);
    for (const d of this.pinned) if (!renewed.has(d)) this.pinned.delete(d);
    const [live, duties] = await Promise.all([this.store.liveInstances(), this.options.listDuties()]);
    const shared = [...renewed.keys()].filter((d) => !this.pinned.has(d));
    const plan = planLeases({ instanceId, held: shared, duties, liveInstances: live });
    if (plan.release.length > 0) {
      for (const d of plan.release) this.drop(d);
      await this.store.release(instanceId, plan.release);
    }
    if (plan.claim === 0 || this.stopped) return;
    const free = await this.store.free(duties.filter((d) => !this.held.has(d)));
    const won = await this.store.acquire(instanceId, pickDuties(instanceId, free, plan.claim), ttlMs);
    for (const [d, token] of won) this.keep(d, token, until);
  }

  private keep(duty: string, token: number, until: number): void {
    const before = this.held.get(duty);
    this.held.set(duty, { token, until });
    if (!before || before.token !== token) this.emit(duty, true);
  }

  private drop(duty: string): void {
    if (this.held.delete(duty)) this.emit(duty, false);
  }

  private emit(duty: string, owned: boolean): void {
    for (const l of this.listeners) {
      try {
        l(duty, owned);
      } catch (err) {
        logger.error({ err, duty }, "lease listener failed");
      }
    }
  }
}
