import type { z } from "zod";
import type { TDb } from "@/server/db";
import type { TPrincipal } from "@/server/auth/principal";
import { AppError } from "@/server/errors";
import { auditedChange, type TWho } from "@/server/services/audit/audit";
import { getAlertEngine } from "@/server/services/alerts/engine";
import { DELIVERY_DUTY } from "@/server/cluster-lease/duties";
import { askOwner, HERE } from "@/server/fanout/ask-owner";
import type { TResendStatus } from "@/server/services/notifications/worker";
import type {
  ZDelivery,
  ZDeliveryList,
  ZDeliveryListInput,
  ZReceiver,
  ZReceiverInput,
  ZReceiverUpdate,
} from "@/server/services/alerts/schema";
import { RECEIVER_KINDS, receiverKind, type TReceiverKindId } from "@/server/services/notifications/kinds";
import { queueAlertEvent } from "@/server/services/notifications/outbox";
import { ZAlertPayload, type TAlertPayload } from "@/server/services/notifications/payload";

type TReceiverRow = Awaited<ReturnType<TDb["notificationReceiver"]["findUniqueOrThrow"]>>;

/** What the audit log keeps of a receiver: never its secret; its URL only as "set" (admins see it in the list). */
const auditShape = (r: TReceiverRow) => ({
  name: r.name,
  kind: r.kind,
  hasSecret: r.secret !== null,
  enabled: r.enabled,
  timeoutMs: r.timeoutMs,
  maxAttempts: r.maxAttempts,
  resendSeconds: r.resendSeconds,
});

/** The last re-send of the firing alerts per receiver, as the delivery worker keeps it (in memory). */
export function receiverResendsHere(): Array<[number, TResendStatus]> {
  return [...(getAlertEngine()?.delivery.resends ?? [])];
}

export async function listReceivers(db: TDb, caller: TPrincipal | null): Promise<Array<z.infer<typeof ZReceiver>>> {
  const rows = await db.notificationReceiver.findMany({ orderBy: { name: "asc" } });
  // Several instances: only the `delivery` owner re-sends, so only it knows how the last re-send went.
  const asked = await askOwner<Array<[number, TResendStatus]>>(
    DELIVERY_DUTY,
    { kind: "receiver-resends" },
    "the receivers' re-sends",
  );
  const resends = new Map(asked === HERE ? receiverResendsHere() : asked);
  const counts = await db.notificationDelivery.groupBy({
    by: ["receiverId", "state"],
    where: { state: { in: ["pending", "sending", "dead"] } },
    _count: { _all: true },
  });
  const out: Array<z.infer<typeof ZReceiver>> = [];
  for (const r of rows) {
    const n = (state: string) => counts.find((c) => c.receiverId === r.id && c.state === state)?._count._all ?? 0;
    const [delivered, failed] = await Promise.all([
      db.notificationDelivery.findFirst({ where: { receiverId: r.id, state: "delivered" }, orderBy: { id: "desc" } }),
      db.notificationDelivery.findFirst({
        where: { receiverId: r.id, lastError: { not: null } },
        orderBy: { updatedAt: "desc" },
      }),
    ]);
    const lastError =
      failed && (!delivered?.deliveredAt || failed.updatedAt > delivered.deliveredAt) ? failed.lastError : null;
    out.push({
      id: r.id,
      name: r.name,
      kind: r.kind as TReceiverKindId,
      kindLabel: receiverKind(r.kind)?.label ?? r.kind,
      url: caller?.role === "admin" ? r.url : null,
      hasSecret: r.secret !== null,
      enabled: r.enabled,
      timeoutMs: r.timeoutMs,
      maxAttempts: r.maxAttempts,
      resendSeconds: r.resendSeconds,
      pending: n("pending") + n("sending"),
      dead: n("dead"),
      lastDelivered: delivered?.deliveredAt ?? null,
      lastError,
      lastResend: resends.get(r.id) ?? null,
    });
  }
  return out;
}

async function receiverOrThrow(db: TDb, id: number): Promise<TReceiverRow> {
  const r = await db.notificationReceiver.findUnique({ where: { id } });
  if (!r) throw new AppError("NOT_FOUND", `No receiver #${id}`);
  return r;
}

function checkSecret(kind: string, secret: string | null | undefined): void {
  if (secret && !RECEIVER_KINDS[kind as TReceiverKindId]?.usesSecret)
    throw new AppError(
      "INVALID_INPUT",
      `A ${receiverKind(kind)?.label ?? kind} receiver has no secret; leave it empty`,
    );
}

function uniqueName(err: unknown, name: string | undefined): never {
  if ((err as { code?: string }).code === "P2002")
    throw new AppError("CONFLICT", `A receiver named "${name}" exists already`);
  throw err;
}

/** Admin only (the router): a receiver is where the console sends data, signed with a secret. */
export async function createReceiver(db: TDb, input: z.infer<typeof ZReceiverInput>, who: TWho) {
  const row = await auditedChange(
    db,
    who,
    { action: "receiver.create", target: input.name, after: auditShape },
    async () => {
      checkSecret(input.kind, input.secret);
      return db.notificationReceiver
        .create({ data: { ...input, secret: input.secret ?? null } })
        .catch((e) => uniqueName(e, input.name));
    },
  );
  getAlertEngine()?.delivery.kick();
  return (await listReceivers(db, who.principal)).find((r) => r.id === row.id)!;
}

export async function updateReceiver(db: TDb, input: z.infer<typeof ZReceiverUpdate>, who: TWho) {
  const before = await receiverOrThrow(db, input.id);
  await auditedChange(
    db,
    who,
    { action: "receiver.update", target: before.name, before: auditShape(before), after: auditShape },
    async () => {
      const kind = input.kind ?? before.kind;
      // A secret belongs to an address: sending it to a new one needs the secret given again.
      const urlChanged = input.url !== undefined && input.url !== before.url;
      const secret = input.secret !== undefined ? input.secret : urlChanged ? null : before.secret;
      checkSecret(kind, secret);
      const { id, ...rest } = input;
      return db.notificationReceiver
        .update({ where: { id }, data: { ...rest, secret } })
        .catch((e) => uniqueName(e, input.name));
    },
  );
  return (await listReceivers(db, who.principal)).find((r) => r.id === input.id)!;
}

export async function deleteReceiver(db: TDb, id: number, who: TWho): Promise<{ id: number }> {
  const before = await receiverOrThrow(db, id);
  await auditedChange(db, who, { action: "receiver.delete", target: before.name, before: auditShape(before) }, () =>
    db.notificationReceiver.delete({ where: { id } }),
  );
  return { id };
}

/** Queues a test alert to one receiver and kicks the worker; the delivery list shows how it went. */
export async function sendTestNotification(db: TDb, id: number, who: TWho): Promise<z.infer<typeof ZDelivery>> {
  const r = await receiverOrThrow(db, id);
  const now = new Date();
  const payload: TAlertPayload = {
    fingerprint: "test",
    status: "firing",
    labels: { alertname: "ClusterDeckTestNotification", severity: "warning", receiver: r.name },
    annotations: {
      summary: `Test notification from ClusterDeck to ${r.name}`,
      description:
        "Sent from the alerts page to check this receiver; nothing is wrong. Alertmanager shows it for a few minutes.",
    },
    activeSince: now.toISOString(),
    startsAt: now.toISOString(),
    endsAt: null,
    generatorURL: null,
  };
  const [deliveryId] = await auditedChange(db, who, { action: "receiver.test", target: r.name }, () =>
    queueAlertEvent(db, null, "test", payload, r.id),
  );
  getAlertEngine()?.delivery.kick();
  const row = await db.notificationDelivery.findUniqueOrThrow({
    where: { id: deliveryId! },
    include: { receiver: true },
  });
  return deliveryView(row);
}

function deliveryView(
  row: Awaited<ReturnType<TDb["notificationDelivery"]["findUniqueOrThrow"]>> & { receiver: { name: string } },
): z.infer<typeof ZDelivery> {
  const p = ZAlertPayload.safeParse(JSON.parse(row.payload));
  return {
    id: row.id,
    receiverId: row.receiverId,
    receiver: row.receiver.name,
    event: row.event as z.infer<typeof ZDelivery>["event"],
    fingerprint: row.fingerprint,
    alertId: row.alertId,
    alertname: p.success ? (p.data.labels.alertname ?? "") : "",
    summary: p.success ? p.data.annotations.summary : "",
    state: row.state as z.infer<typeof ZDelivery>["state"],
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    lastStatus: row.lastStatus,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
  };
}

/** The outbox, newest first: what was sent, what waits for a retry, and the dead letters. */
export async function listDeliveries(
  db: TDb,
  input: z.infer<typeof ZDeliveryListInput>,
): Promise<z.infer<typeof ZDeliveryList>> {
  const rows = await db.notificationDelivery.findMany({
    where: {
      ...(input.state === "all"
        ? {}
        : { state: input.state === "pending" ? { in: ["pending", "sending"] } : input.state }),
      ...(input.receiverId ? { receiverId: input.receiverId } : {}),
      ...(input.beforeId ? { id: { lt: input.beforeId } } : {}),
    },
    include: { receiver: { select: { name: true } } },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  return {
    deliveries: rows.slice(0, input.limit).map(deliveryView),
    nextBeforeId: rows.length > input.limit ? rows[input.limit - 1]!.id : null,
  };
}

/** Queues a dead delivery again with a fresh count of attempts. */
export async function retryDelivery(db: TDb, id: number, who: TWho): Promise<z.infer<typeof ZDelivery>> {
  const row = await db.notificationDelivery.findUnique({ where: { id }, include: { receiver: true } });
  if (!row) throw new AppError("NOT_FOUND", `No delivery #${id}`);
  const updated = await auditedChange(
    db,
    who,
    { action: "receiver.retry", target: row.receiver.name, details: { delivery: id, event: row.event } },
    async () => {
      if (row.state !== "dead")
        throw new AppError("CONFLICT", `Delivery #${id} is ${row.state}, not dead: nothing to retry`);
      return db.notificationDelivery.update({
        where: { id },
        data: { state: "pending", attempts: 0, nextAttemptAt: new Date() },
        include: { receiver: true },
      });
    },
  );
  getAlertEngine()?.delivery.kick();
  return deliveryView(updated);
}
