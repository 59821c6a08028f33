/**
 * The outbox and its worker against small in-process HTTP receivers on loopback: signed bodies, retries
 * with backoff, first in first out per receiver, dead letters and their retry, and a hanging receiver that
 * holds up nobody else.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import type { PrismaClient } from "@/generated/prisma/client";
import { queueAlertEvent } from "@/server/services/notifications/outbox";
import type { TAlertPayload, TWebhookBody } from "@/server/services/notifications/payload";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from "@/server/services/notifications/sign";
import { backoffMs, DeliveryWorker, SENDING_GRACE_MS } from "@/server/services/notifications/worker";
import type { TOwnership } from "@/server/cluster-lease/ownership";

const SECRET = "webhook-secret-for-tests";

interface TReceived {
  headers: IncomingMessage["headers"];
  body: string;
}

/** A receiver that answers each request with the status `answer` gives (null: never answers). */
async function receiver(answer: (n: number) => number | null) {
  const received: TReceived[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      const status = answer(received.length);
      if (status === null) hanging.push(res);
      else res.writeHead(status).end(status >= 300 ? "busy, try later" : "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook?token=abc`;
  return {
    url,
    received,
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

function alert(fp: string, status: "firing" | "resolved" = "firing"): TAlertPayload {
  return {
    fingerprint: fp,
    status,
    labels: { alertname: "ClusterDeckMemberFailing", cluster: "lab", severity: "critical", member: "tomcat2" },
    annotations: { summary: "Member tomcat2 is failing on a", description: "Check the Tomcat." },
    activeSince: "2026-12-05T09:00:00.000Z",
    startsAt: "2026-12-05T09:00:30.000Z",
    endsAt: status === "resolved" ? "2026-12-05T09:05:00.000Z" : null,
    generatorURL: null,
  };
}

describe("notification delivery", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let worker: DeliveryWorker;
  const closers: Array<() => void> = [];

  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    worker = new DeliveryWorker(db, async () => [], { retryBaseMs: 30, retryMaxMs: 200, tickMs: 10 });
  });
  afterEach(async () => {
    worker.stop();
    closers.splice(0).forEach((c) => c()); // a hanging request ends here, so the worker goes idle
    await worker.idle();
    await cleanup();
  });

  async function webhook(
    answer: (n: number) => number | null,
    extra: { maxAttempts?: number; timeoutMs?: number } = {},
  ) {
    const r = await receiver(answer);
    closers.push(r.close);
    const row = await db.notificationReceiver.create({
      data: { name: `hook-${closers.length}`, kind: "webhook", url: r.url, secret: SECRET, ...extra },
    });
    return { ...r, id: row.id };
  }

  const stateOf = async (id: number) => (await db.notificationDelivery.findUniqueOrThrow({ where: { id } })).state;

  it("sends a signed JSON body the receiver can verify", async () => {
    const hook = await webhook(() => 204);
    const [id] = await queueAlertEvent(db, 1, "firing", alert("f1"));
    await worker.start();
    await vi.waitFor(async () => expect(await stateOf(id!)).toBe("delivered"), { timeout: 5000 });
    expect(hook.received).toHaveLength(1);
    const { headers, body } = hook.received[0]!;
    const ts = Number(headers[TIMESTAMP_HEADER]);
    expect(verifySignature(SECRET, ts, body, String(headers[SIGNATURE_HEADER]))).toBe(true);
    expect(verifySignature("another-secret-value", ts, body, String(headers[SIGNATURE_HEADER]))).toBe(false);
    expect(verifySignature(SECRET, ts + 1, body, String(headers[SIGNATURE_HEADER]))).toBe(false);
    const parsed = JSON.parse(body) as TWebhookBody;
    expect(parsed).toMatchObject({ version: 1, event: "firing", deliveryId: id, alert: { fingerprint: "f1" } });
    expect(headers["x-clusterdeck-event"]).toBe("firing");
  });

  it("a receiver that fails 3 times gets the alert on the 4th try, with backoff between tries", async () => {
    const hook = await webhook((n) => (n <= 3 ? 503 : 200));
    const [id] = await queueAlertEvent(db, 1, "firing", alert("f2"));
    await worker.start();
    await vi.waitFor(async () => expect(await stateOf(id!)).toBe("delivered"), { timeout: 5000 });
    const row = await db.notificationDelivery.findUniqueOrThrow({ where: { id: id! } });
    expect(row.attempts).toBe(4);
    expect(hook.received).toHaveLength(4);
    // The same delivery each time, not four notifications.
    expect(new Set(hook.received.map((r) => r.headers["x-clusterdeck-delivery"]))).toEqual(new Set([String(id)]));
    expect([1, 2, 3, 4].map((n) => backoffMs(n, { retryBaseMs: 30, retryMaxMs: 200 }))).toEqual([30, 60, 120, 200]);
  });

  it("keeps events in order: a resolve waits behind its failing firing", async () => {
    const hook = await webhook((n) => (n === 1 ? 500 : 200));
    const [firing] = await queueAlertEvent(db, 1, "firing", alert("f3"));
    const [resolved] = await queueAlertEvent(db, 1, "resolved", alert("f3", "resolved"));
    await worker.start();
    await vi.waitFor(async () => expect(await stateOf(resolved!)).toBe("delivered"), { timeout: 5000 });
    const events = hook.received.map((r) => (JSON.parse(r.body) as TWebhookBody).event);
    expect(events).toEqual(["firing", "firing", "resolved"]);
    expect(await stateOf(firing!)).toBe("delivered");
  });

  it("after maxAttempts the delivery is dead, shows the receiver's answer, and no longer holds the queue", async () => {
    const hook = await webhook(() => 500, { maxAttempts: 2 });
    const [dead] = await queueAlertEvent(db, 1, "firing", alert("f4"));
    const [next] = await queueAlertEvent(db, 2, "firing", alert("f5"));
    await worker.start();
    await vi.waitFor(async () => expect(await stateOf(dead!)).toBe("dead"), { timeout: 5000 });
    const row = await db.notificationDelivery.findUniqueOrThrow({ where: { id: dead! } });
    expect(row).toMatchObject({ attempts: 2, lastStatus: 500, lastError: "HTTP 500: busy, try later" });
    expect(row.lastError).not.toContain("token=abc"); // the list shows errors to viewers: never the URL
    await vi.waitFor(async () => expect(await stateOf(next!)).toBe("dead"), { timeout: 5000 });
    expect(hook.received.length).toBe(4);
  });

  it("a receiver that hangs holds up only its own queue", async () => {
    const slow = await webhook(() => null, { timeoutMs: 60_000 });
    const fast = await webhook(() => 200);
    await queueAlertEvent(db, 1, "firing", alert("f6"), slow.id);
    const [toFast] = await queueAlertEvent(db, 1, "firing", alert("f6"), fast.id);
    await worker.start();
    await vi.waitFor(async () => expect(await stateOf(toFast!)).toBe("delivered"), { timeout: 5000 });
    expect(slow.received).toHaveLength(1); // still waiting for its answer
    const waiting = await db.notificationDelivery.findFirstOrThrow({ where: { receiverId: slow.id } });
    expect(waiting.state).toBe("sending");
  });

  it("a timeout is reported as such and retried", async () => {
    const hook = await webhook((n) => (n === 1 ? null : 200), { timeoutMs: 200 });
    const [id] = await queueAlertEvent(db, 1, "firing", alert("f7"));
    await worker.start();
    await vi.waitFor(async () => expect(await stateOf(id!)).toBe("delivered"), { timeout: 5000 });
    expect(hook.received).toHaveLength(2);
  });

  it("several instances: a row another instance left sending waits out its POST, and the queue waits with it", async () => {
    const hook = await webhook(() => 200, { timeoutMs: 200 });
    const [firing] = await queueAlertEvent(db, 1, "firing", alert("f9"));
    const [resolved] = await queueAlertEvent(db, 1, "resolved", alert("f9", "resolved"));
    // What the previous owner of "delivery" was sending when the lease moved (or it died).
    await db.notificationDelivery.update({ where: { id: firing! }, data: { state: "sending", attempts: 1 } });
    // This instance owns "delivery" as one of several (not the single-instance ownership).
    const leased: TOwnership = {
      owns: () => true,
      holds: () => true,
      tokenOf: () => 1,
      onChange: () => () => undefined,
      pin: async () => true,
      unpin: async () => undefined,
      stillOwns: async () => true,
    };
    worker.stop();
    worker = new DeliveryWorker(db, async () => [], { retryBaseMs: 30, retryMaxMs: 200, tickMs: 10 }, leased);
    await worker.start();
    await new Promise((r) => setTimeout(r, 300));
    // Neither the row in flight elsewhere nor the resolve behind it (it must not overtake its firing).
    expect(hook.received).toHaveLength(0);
    expect(await stateOf(resolved!)).toBe("pending");
    // Once that POST has certainly ended (timeout + grace since it started), it is sent again, then the rest.
    await db.notificationDelivery.update({
      where: { id: firing! },
      data: { updatedAt: new Date(Date.now() - 200 - SENDING_GRACE_MS - 50) },
    });
    await vi.waitFor(async () => expect(await stateOf(resolved!)).toBe("delivered"), { timeout: 5000 });
    expect(hook.received.map((r) => (JSON.parse(r.body) as TWebhookBody).event)).toEqual(["firing", "resolved"]);
    expect(await db.notificationDelivery.findUniqueOrThrow({ where: { id: firing! } })).toMatchObject({
      state: "delivered",
      attempts: 2,
    });
  });

  it("the same event is queued once however often it is asked for", async () => {
    await webhook(() => 200);
    expect(await queueAlertEvent(db, 1, "firing", alert("f8"))).toHaveLength(1);
    expect(await queueAlertEvent(db, 1, "firing", alert("f8"))).toHaveLength(0);
    expect(await queueAlertEvent(db, 1, "resolved", alert("f8", "resolved"))).toHaveLength(1);
  });
});
