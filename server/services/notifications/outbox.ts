import type { TDb } from "@/server/db";
import type { TAlertPayload, TNotificationEvent } from "@/server/services/notifications/payload";

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === "P2002";
}

/**
 * Queues one alert event for every enabled receiver (or the one named): a row per receiver in the
 * outbox, keyed so the same event is queued once however often this is called (a retry of the engine's
 * write, a second instance). Returns the ids of the rows written now.
 */
export async function queueAlertEvent(
  db: TDb,
  alertId: number | null,
  event: TNotificationEvent,
  payload: TAlertPayload,
  onlyReceiverId?: number,
): Promise<number[]> {
  const receivers = await db.notificationReceiver.findMany({
    where: onlyReceiverId === undefined ? { enabled: true } : { id: onlyReceiverId },
    select: { id: true },
  });
  const ids: number[] = [];
  const now = new Date();
  for (const r of receivers) {
    const unique = event === "test" ? `${now.getTime()}:${Math.random().toString(36).slice(2)}` : payload.startsAt;
    try {
      const row = await db.notificationDelivery.create({
        data: {
          receiverId: r.id,
          dedupeKey: `${r.id}:${payload.fingerprint}:${unique}:${event}`,
          alertId,
          fingerprint: payload.fingerprint,
          event,
          payload: JSON.stringify(payload),
          state: "pending",
          nextAttemptAt: now,
        },
      });
      ids.push(row.id);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  return ids;
}
