/**
 * Alerts against the lab: the console's own engine judges the real balancers' polls, and sends to the lab's
 * real Alertmanager (asked through its API) and to a webhook receiver in this process. A killed Tomcat
 * fires "member failing" there and resolves when it is back; an httpd graceful restart after a drain
 * fires "drift" and re-apply resolves it; a silenced alert is not sent until its silence ends; polling
 * keeps its pace while the webhook hangs.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { createTestDb } from "@/test-support/test-db";
import type { PrismaClient } from "@/generated/prisma/client";
import { processSingleton } from "@/server/process-singleton";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { reapplyMember } from "@/server/services/members/drift";
import { InventoryCache, setInventoryCache } from "@/server/services/clusters/inventory-cache";
import { Poller, setPoller } from "@/server/poller/poller";
import { onEvent } from "@/server/poller/event-bus";
import { startAlerts, stopAlerts, type AlertEngine } from "@/server/services/alerts/engine";
import { createSilence, setRule } from "@/server/services/alerts/service";
import type { TWebhookBody } from "@/server/services/notifications/payload";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from "@/server/services/notifications/sign";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
const ALERTMANAGER = labValue(env, "LAB_ALERTMANAGER_URL");
const SECRET = "alerts-int-test-webhook-secret";
const POLL_MS = 1000;
const who = { principal: null, ip: null, system: "alerts integration test" };

interface TAmAlert {
  labels: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

/** Alerts Alertmanager holds with these labels that have not ended. */
async function amActive(labels: Record<string, string>): Promise<TAmAlert[]> {
  const filter = Object.entries(labels)
    .map(([k, v]) => `filter=${encodeURIComponent(`${k}="${v}"`)}`)
    .join("&");
  const res = await fetch(`${ALERTMANAGER}/api/v2/alerts?${filter}`);
  const all = (await res.json()) as TAmAlert[];
  return all.filter((a) => new Date(a.endsAt).getTime() > Date.now());
}

describe("alerts raised by the console, delivered to the lab's Alertmanager and a webhook", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let cache: InventoryCache;
  let poller: Poller;
  let engine: AlertEngine;
  let server: Server;
  const hooks: TWebhookBody[] = [];
  let hang = false;
  const hanging: ServerResponse[] = [];

  const hooked = (alertname: string, event: string, labels: Record<string, string> = {}) =>
    hooks.filter(
      (b) =>
        b.event === event &&
        b.alert.labels.alertname === alertname &&
        Object.entries(labels).every(([k, v]) => b.alert.labels[k] === v),
    );

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    processSingleton("db", () => db);
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await db.frontend.updateMany({ data: { pollIntervalMs: POLL_MS } });
    await waitUntilHealthy(FRONTENDS);

    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        if (hang) return void hanging.push(res);
        const ts = Number(req.headers[TIMESTAMP_HEADER]);
        // Only bodies whose signature checks out count as received.
        if (verifySignature(SECRET, ts, body, String(req.headers[SIGNATURE_HEADER])))
          hooks.push(JSON.parse(body) as TWebhookBody);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await db.notificationReceiver.create({
      data: { name: "lab-alertmanager", kind: "alertmanager", url: ALERTMANAGER, resendSeconds: 10 },
    });
    await db.notificationReceiver.create({
      data: {
        name: "test-hook",
        kind: "webhook",
        url: `http://127.0.0.1:${port}/hook`,
        secret: SECRET,
        timeoutMs: 4000,
      },
    });
    for (const [rule, forSeconds] of [
      ["member-failing", 2],
      ["drift", 0],
    ] as const)
      await setRule(db, { cluster: "lab", rule, enabled: true, forSeconds, threshold: null }, who);

    cache = new InventoryCache(db);
    await cache.start();
    setInventoryCache(cache);
    poller = new Poller(db, 8);
    setPoller(poller);
    await poller.start();
    engine = await startAlerts(db, cache, {
      tickMs: 500,
      delivery: { retryBaseMs: 200, retryMaxMs: 2000, tickMs: 100 },
    });
  }, 120_000);

  afterAll(async () => {
    hang = false;
    for (const res of hanging) res.destroy();
    await labCommand("start-member", "tomcat3").catch(() => undefined);
    for (const m of ["tomcat1", "tomcat2", "tomcat3"])
      await applyMemberChange(db, "lab", m, { kind: "state", state: "active" }, who).catch(() => undefined);
    stopAlerts();
    poller?.stop();
    cache?.stop();
    server?.closeAllConnections();
    server?.close();
    await waitUntilHealthy(FRONTENDS).catch(() => undefined);
    await cleanup();
  }, 120_000);

  it("a killed Tomcat fires 'member failing' in Alertmanager and the webhook; started again, it resolves", async () => {
    const labels = { alertname: "ClusterDeckMemberFailing", cluster: "lab", member: "tomcat3" };
    await labCommand("kill-member", "tomcat3");
    await vi.waitFor(async () => expect((await amActive(labels)).length).toBeGreaterThan(0), {
      timeout: 30_000,
      interval: 500,
    });
    const row = await db.alert.findFirstOrThrow({ where: { rule: "member-failing", state: "firing" } });
    // It fired only once the condition had held for the rule's delay.
    expect(row.startsAt.getTime() - row.activeSince.getTime()).toBeGreaterThanOrEqual(2000);
    expect(row.summary).toContain("tomcat3");
    await vi.waitFor(() =>
      expect(hooked("ClusterDeckMemberFailing", "firing", { member: "tomcat3" }).length).toBeGreaterThan(0),
    );

    await labCommand("start-member", "tomcat3");
    await waitUntilHealthy(FRONTENDS);
    await vi.waitFor(async () => expect(await amActive(labels)).toEqual([]), { timeout: 30_000, interval: 500 });
    await vi.waitFor(() =>
      expect(hooked("ClusterDeckMemberFailing", "resolved", { member: "tomcat3" }).length).toBeGreaterThan(0),
    );
    expect(await db.alert.count({ where: { rule: "member-failing", state: "firing" } })).toBe(0);
  }, 120_000);

  it("a graceful httpd restart after a drain fires 'drift'; re-apply resolves it", async () => {
    expect((await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "draining" }, who)).overall).not.toBe(
      "failed",
    );
    await engine.settled();
    await labCommand("restart-frontend", "a"); // BalancerPersist Off: httpd forgets the drain
    const labels = { alertname: "ClusterDeckDrift", cluster: "lab", member: "tomcat2", frontend: "apache-balancer" };
    await vi.waitFor(async () => expect((await amActive(labels)).length).toBe(1), { timeout: 30_000, interval: 500 });
    expect(hooked("ClusterDeckDrift", "firing", { member: "tomcat2" }).length).toBeGreaterThan(0);

    await reapplyMember(db, "lab", "tomcat2", who);
    await vi.waitFor(async () => expect(await amActive(labels)).toEqual([]), { timeout: 30_000, interval: 500 });
    await vi.waitFor(() => expect(hooked("ClusterDeckDrift", "resolved", { member: "tomcat2" }).length).toBe(1));
    await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "active" }, who);
  }, 120_000);

  it("a silenced alert is not sent; when the silence ends it is", async () => {
    const alertname = "ClusterDeckTooFewActiveMembers";
    await createSilence(
      db,
      { cluster: "lab", matchers: { alertname }, endsAt: new Date(Date.now() + 6000), reason: "maintenance window" },
      who,
    );
    // Three members, K = 3: draining one leaves too few.
    await setRule(db, { cluster: "lab", rule: "too-few-active", enabled: true, forSeconds: 0, threshold: 3 }, who);
    await applyMemberChange(db, "lab", "tomcat1", { kind: "state", state: "draining" }, who);
    await vi.waitFor(
      async () => expect(await db.alert.count({ where: { rule: "too-few-active", state: "firing" } })).toBe(1),
      {
        timeout: 15_000,
      },
    );
    const firing = await db.alert.findFirstOrThrow({ where: { rule: "too-few-active", state: "firing" } });
    expect(firing.notifiedAt).toBeNull();
    expect(await amActive({ alertname })).toEqual([]);
    expect(hooked(alertname, "firing")).toEqual([]);

    await vi.waitFor(() => expect(hooked(alertname, "firing").length).toBe(1), { timeout: 20_000, interval: 200 });
    expect((await amActive({ alertname })).length).toBe(1);
    await applyMemberChange(db, "lab", "tomcat1", { kind: "state", state: "active" }, who);
    await vi.waitFor(() => expect(hooked(alertname, "resolved").length).toBe(1), { timeout: 15_000 });
  }, 120_000);

  it("polling keeps its pace while the webhook hangs", async () => {
    hang = true;
    const apache = (await db.frontend.findFirstOrThrow({ where: { name: "apache-balancer" } })).id;
    const seen: number[] = [];
    const off = onEvent("frontend-polled", (ev) => {
      if (ev.frontendId === apache) seen.push(Date.now());
    });
    try {
      // An alert to deliver: the webhook takes it and never answers (4 s timeout, retries).
      await applyMemberChange(db, "lab", "tomcat1", { kind: "state", state: "draining" }, who);
      await vi.waitFor(() => expect(hanging.length).toBeGreaterThan(0), { timeout: 15_000 });
      const from = seen.length;
      await vi.waitFor(() => expect(seen.length - from).toBeGreaterThanOrEqual(9), { timeout: 30_000, interval: 200 });
      const gaps = seen.slice(from).flatMap((t, i, a) => (i === 0 ? [] : [t - a[i - 1]!]));
      const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
      // Each poll is scheduled POLL_MS after the previous one ended: the gap is the interval plus one poll.
      expect(mean).toBeGreaterThan(POLL_MS * 0.9);
      expect(mean).toBeLessThan(POLL_MS * 1.1 + 50);
    } finally {
      off();
      hang = false;
      await applyMemberChange(db, "lab", "tomcat1", { kind: "state", state: "active" }, who);
    }
  }, 120_000);
});
