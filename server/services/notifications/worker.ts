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

export function backoffMs(attempts: number, o: Pick<TDeliveryOptions, "retryBaseMs" | "retryMaxMs">): number {
  return Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends the outbox. Each receiver has its own loop, first in first out: a receiver that hangs or fails
 * holds up only its own queue (until its timeout, then a retry with backoff), never polling and never the
 * other receivers. After maxAttempts a row is left "dead" (the dead-letter view), where an operator can
 * queue it again. Rows "sending" when the process stopped are sent again on start: at least once.
 * With several instances (PostgreSQL) only the owner of the "delivery" lease sends; an instance that
 * takes it over sends again what the previous owner left "sending".
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
    private readonly firingForResend: () => TAlertPayload[],
    private readonly options: TDeliveryOptions = DEFAULT_DELIVERY_OPTIONS,
    private readonly ownership: TOwnership = getOwnership(),
  ) {}

  async start(): Promise<void> {
    if (this.ownership !== SINGLE_INSTANCE)
      this.offLease = this.ownership.onChange((duty, owned) => {
        if (duty === DELIVERY_DUTY && owned)
          this.recover()
            .then(() => this.kick())
            .catch((err) => logger.warn({ err: String(err) }, "delivery takeover failed"));
      });
    if (this.ownership.owns(DELIVERY_DUTY)) await this.recover();
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    this.timer.unref();
    this.kick();
  }

  /** What the last owner (this process before a restart, or a dead instance) was sending is sent again. */
  private async recover(): Promise<void> {
    await this.db.notificationDelivery.updateMany({ where: { state: "sending" }, data: { state: "pending" } });
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
    for (;;) {
      const row = await this.db.notificationDelivery.findFirst({
        where: { receiverId: r.id, state: "pending" },
        orderBy: { id: "asc" },
      });
      if (!row || row.nextAttemptAt.getTime() > Date.now()) break;
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
    const alerts = this.firingForResend();
    this.lastResend.set(r.id, Date.now());
    if (!kind?.resend || alerts.length === 0) return;
    const out = await kind.resend(r, alerts);
    this.resends.set(r.id, { at: new Date(), ok: out.ok, error: out.error, alerts: alerts.length });
  }
}
