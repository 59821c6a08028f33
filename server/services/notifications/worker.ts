import type { TDb } from "@/server/db";
import { logger } from "@/server/logger";
import { receiverKind, type TQueuedDelivery } from "@/server/services/notifications/kinds";
import { ZAlertPayload, type TAlertPayload, type TNotificationEvent } from "@/server/services/notifications/payload";
import type { TReceiverTarget } from "@/server/services/notifications/send";
import { getOwnership, SINGLE_INSTANCE, type TOwnership } from "@/server/cluster-lease/ownership";
import { DELIVERY_DUTY } from "@/server/cluster-lease/duties";

export interface TDeliveryOptions {
  /** First retry after this long; each further one waits twice as long, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often due rows and re-sends are looked for (a queued event is sent at once regardless). */
  tickMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: TDeliveryOptions = {
  retryBaseMs: 2_000,
  retryMaxMs: 10 * 60_000,
  tickMs: 1_000,
};

/** What the receivers list shows beside each receiver: its last re-send (Alertmanager). */
export interface TResendStatus {
  at: Date;
  ok: boolean;
  error: string | null;
  alerts: number;
}

/**
 * Several instances: a row another instance marked "sending" is its POST in flight until the receiver's
 * timeout has passed (that instance aborts it then), plus this long for its outcome to be written. Only
 * after that is the row sent again here: the previous owner may be alive (the lease moved to a joining
 * instance) and about to write "delivered". Assumes the instances' clocks agree within this margin.
 */
export const SENDING_GRACE_MS = 2_000;

export function backoffMs(attempts: number, o: Pick<TDeliveryOptions, "retryBaseMs" | "retryMaxMs">): number {
  return Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends the outbox. Each receiver has its own loop, first in first out: a receiver that hangs or fails
 * holds up only its own queue (until its timeout, then a retry with backoff), never polling and never the
 * other receivers. After maxAttempts a row is left "dead" (the dead-letter view), where an operator can
 * queue it again. Rows "sending" when the process stopped are sent again on start: at least once.
 * With several instances (PostgreSQL) only the owner of the "delivery" lease sends; an instance that
 * takes it over sends again what the previous owner left "sending" once that POST has certainly ended
 * (the receiver's timeout and SENDING_GRACE_MS after it started), and sends nothing newer for that
 * receiver before it, so the order holds.
 */
export class DeliveryWorker {
  private readonly busy = new Set<number>();
  private readonly lastResend = new Map<number, number>();
  readonly resends = new Map<number, TResendStatus>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private offLease: (() => void) | null = null;

  constructor(
    private readonly db: TDb,
    /** The firing alerts to send again (async: with several instances the `alerts` owner is asked). */
    private readonly firingForResend: () => Promise<TAlertPayload[]>,
    private readonly options: TDeliveryOptions = DEFAULT_DELIVERY_OPTIONS,
    private readonly ownership: TOwnership = getOwnership(),
  ) {}

  async start(): Promise<void> {
    if (this.ownership === SINGLE_INSTANCE) await this.recover();
    else
      this.offLease = this.ownership.onChange((duty, owned) => {
        if (duty === DELIVERY_DUTY && owned) this.kick();
      });
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    this.timer.unref();
    this.kick();
  }

  /** One instance: what this process was sending when it stopped is sent again (nothing else sends). */
  private async recover(): Promise<void> {
    await this.db.notificationDelivery.updateMany({ where: { state: "sending" }, data: { state: "pending" } });
  }

  /**
   * Several instances: what a previous owner (dead, or alive and handing the lease over) left "sending" is
   * queued again once its POST has certainly ended; until then that receiver's queue waits for it.
   */
  private async reclaimStale(r: TReceiverTarget): Promise<void> {
    if (this.ownership === SINGLE_INSTANCE) return;
    const before = new Date(Date.now() - r.timeoutMs - SENDING_GRACE_MS);
    await this.db.notificationDelivery.updateMany({
      where: { receiverId: r.id, state: "sending", updatedAt: { lt: before } },
      data: { state: "pending" },
    });
  }

  stop(): void {
    this.offLease?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Looks for work now (called after queuing). */
  kick(): void {
    if (this.ticking || !this.ownership.owns(DELIVERY_DUTY)) return;
    this.ticking = true;
    this.tick()
      .catch((err) => logger.warn({ err: String(err) }, "notification delivery pass failed"))
      .finally(() => (this.ticking = false));
  }

  /** Resolves once no receiver is sending (tests). */
  async idle(): Promise<void> {
    while (this.busy.size > 0 || this.ticking) await new Promise((r) => setTimeout(r, 20));
  }

  private async tick(): Promise<void> {
    const receivers = await this.db.notificationReceiver.findMany({ where: { enabled: true } });
    const now = Date.now();
    for (const r of receivers) {
      if (this.busy.has(r.id)) continue;
      const kind = receiverKind(r.kind);
      if (!kind) continue;
      const resendDue = kind.resendsFiring && now - (this.lastResend.get(r.id) ?? 0) >= r.resendSeconds * 1000;
      this.busy.add(r.id);
      void this.drain(r, resendDue).finally(() => this.busy.delete(r.id));
    }
  }

  private async drain(r: TReceiverTarget & { maxAttempts: number }, resendDue: boolean): Promise<void> {
    await this.reclaimStale(r);
    for (;;) {
      // The lease went to another instance (a joining one took it): it sends the rest.
      if (!this.ownership.owns(DELIVERY_DUTY)) break;
      // A row still "sending" here is another instance's POST in flight (this process sends one at a time
      // per receiver): first in first out, so the queue waits for it.
      const row = await this.db.notificationDelivery.findFirst({
        where: { receiverId: r.id, state: { in: ["pending", "sending"] } },
        orderBy: { id: "asc" },
      });
      if (!row || row.state === "sending" || row.nextAttemptAt.getTime() > Date.now()) break;
      const sent = await this.attempt(r, row);
      if (!sent) break; // first in first out: later events wait for this one
    }
    if (resendDue) await this.resend(r);
  }

  private async attempt(
    r: TReceiverTarget & { maxAttempts: number },
    row: { id: number; event: string; payload: string; attempts: number },
  ): Promise<boolean> {
    const kind = receiverKind(r.kind)!;
    const attempts = row.attempts + 1;
    await this.db.notificationDelivery.update({ where: { id: row.id }, data: { state: "sending", attempts } });
    const d: TQueuedDelivery = {
      id: row.id,
      event: row.event as TNotificationEvent,
      alert: ZAlertPayload.parse(JSON.parse(row.payload)),
    };
    const out = await kind.send(r, d);
    const now = Date.now();
    if (out.ok) {
      await this.db.notificationDelivery.update({
        where: { id: row.id },
        data: { state: "delivered", deliveredAt: new Date(now), lastStatus: out.status, lastError: null },
      });
      return true;
    }
    const dead = attempts >= r.maxAttempts;
    await this.db.notificationDelivery.update({
      where: { id: row.id },
      data: {
        state: dead ? "dead" : "pending",
        lastStatus: out.status,
        lastError: out.error,
        nextAttemptAt: new Date(now + backoffMs(attempts, this.options)),
      },
    });
    logger.warn({ receiver: r.id, delivery: row.id, attempts, dead, error: out.error }, "notification not delivered");
    // A dead row no longer holds the queue.
    return dead;
  }

  private async resend(r: TReceiverTarget): Promise<void> {
    const kind = receiverKind(r.kind);
    this.lastResend.set(r.id, Date.now());
    let alerts: TAlertPayload[];
    try {
      alerts = await this.firingForResend();
    } catch (err) {
      // Not known now (the alerts owner did not answer): said, and tried again at the next re-send.
      this.resends.set(r.id, { at: new Date(), ok: false, error: (err as Error).message, alerts: 0 });
      return;
    }
    if (!kind?.resend || alerts.length === 0) return;
    const out = await kind.resend(r, alerts);
    this.resends.set(r.id, { at: new Date(), ok: out.ok, error: out.error, alerts: alerts.length });
  }
}
