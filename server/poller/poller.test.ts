import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { findClosedPort, startCannedServer, startHungServer, type TFaultServer } from "@/test-support/fault-server";
import { Poller } from "@/server/poller/poller";
import { getFrontendLive } from "@/server/poller/live-state";
import type { PrismaClient } from "@/generated/prisma/client";

const GOOD_XML = fs.readFileSync(
  path.resolve(import.meta.dirname, "../adapters/frontends/apache-balancer/__fixtures__/02-initial.xml"),
  "utf8",
);

describe("poller: a failed poll is data and never stalls the others", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const servers: TFaultServer[] = [];
  let poller: Poller | undefined;

  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
  });
  /** A balancer-manager frontend at `url` in a new cluster. */
  async function balancerAt(url: string, timing: { pollIntervalMs: number; timeoutMs?: number }) {
    const cluster = await db.cluster.create({ data: { name: "c" } });
    return db.frontend.create({
      data: { clusterId: cluster.id, name: "a", kind: "apache-balancer", url, balancer: "mycluster", ...timing },
    });
  }
  afterEach(async () => {
    poller?.stop();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await cleanup();
  });

  it("records timeout, garbage, refused and good frontends side by side", async () => {
    const hung = await startHungServer();
    const garbage = await startCannedServer(200, "<html><body>not xml at all</body></html>", "text/html");
    const good = await startCannedServer(200, GOOD_XML);
    servers.push(hung, garbage, good);
    const closedPort = await findClosedPort();
    const cluster = await db.cluster.create({ data: { name: "c" } });
    const mk = (name: string, url: string, timeoutMs = 400) =>
      db.frontend.create({
        data: {
          clusterId: cluster.id,
          name,
          kind: "apache-balancer",
          url,
          balancer: "mycluster",
          pollIntervalMs: 500,
          timeoutMs,
        },
      });
    const fHung = await mk("hung", hung.url);
    const fGarbage = await mk("garbage", garbage.url);
    const fGood = await mk("good", good.url);
    const fClosed = await mk("closed", `http://127.0.0.1:${closedPort}/balancer-manager`);

    poller = new Poller(db, 4);
    await poller.start();

    // The good frontend keeps being polled while the hung one sits out its timeouts.
    await vi.waitFor(() => expect(good.requests.length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 100 });
    await vi.waitFor(() => expect(getFrontendLive(fHung.id)?.up).toBe(false), { timeout: 15_000, interval: 100 });

    const hungLive = getFrontendLive(fHung.id)!;
    expect(hungLive.errorCode).toBe("TARGET_TIMEOUT");
    expect(hungLive.error).toContain("within 400 ms");
    expect(hungLive.lastGoodAt).toBeNull();

    const garbageLive = getFrontendLive(fGarbage.id)!;
    expect(garbageLive.up).toBe(false);
    expect(garbageLive.errorCode).toBe("UNEXPECTED_RESPONSE");
    expect(garbageLive.error).toMatch(/HTML instead of XML/i);

    await vi.waitFor(() => expect(getFrontendLive(fClosed.id)?.errorCode).toBe("TARGET_UNREACHABLE"), {
      timeout: 5_000,
    });
    expect(getFrontendLive(fClosed.id)!.error).toContain("ECONNREFUSED");

    const goodLive = getFrontendLive(fGood.id)!;
    expect(goodLive.up).toBe(true);
    expect(goodLive.members.map((m) => m.route).sort()).toEqual(["node1", "node2", "node3"]);

    // Recorded in the DB as data, not only in memory (batched with the history, written every 10 s).
    await poller.flushHistory();
    const rows = await db.frontendPoll.findMany({ orderBy: { frontendId: "asc" } });
    expect(rows.find((r) => r.frontendId === fHung.id)).toMatchObject({ up: false, errorCode: "TARGET_TIMEOUT" });
    expect(rows.find((r) => r.frontendId === fGood.id)).toMatchObject({ up: true, error: null });

    // balancer-manager ignores ?xml=1 without a Referer naming its own host (safe_referer).
    const req = good.requests[0]!;
    expect(req.url).toBe("/balancer-manager?xml=1");
    expect(new URL(String(req.headers.referer)).hostname).toBe("127.0.0.1");
  });

  it("keeps the last good poll time and the last members when a frontend stops answering", async () => {
    const server = await startCannedServer(200, GOOD_XML);
    servers.push(server);
    const f = await balancerAt(server.url, { pollIntervalMs: 500, timeoutMs: 400 });
    poller = new Poller(db, 2);
    await poller.start();
    await vi.waitFor(() => expect(getFrontendLive(f.id)?.up).toBe(true), { timeout: 5_000 });
    const lastGood = getFrontendLive(f.id)!.lastGoodAt;

    server.setReply(500, "Internal Server Error");
    await vi.waitFor(() => expect(getFrontendLive(f.id)?.up).toBe(false), { timeout: 5_000 });
    const live = getFrontendLive(f.id)!;
    expect(live.error).toContain("HTTP 500");
    expect(live.lastGoodAt!.getTime()).toBeGreaterThanOrEqual(lastGood!.getTime());
    expect(live.stale).toBe(true);
    expect(live.members).toHaveLength(3);

    server.setReply(200, GOOD_XML);
    await vi.waitFor(() => expect(getFrontendLive(f.id)?.up).toBe(true), { timeout: 5_000 });
    expect(getFrontendLive(f.id)!.stale).toBe(false);
  });

  it("names the balancers a frontend has when the configured one is missing", async () => {
    const server = await startCannedServer(200, GOOD_XML);
    servers.push(server);
    const cluster = await db.cluster.create({ data: { name: "c" } });
    const f = await db.frontend.create({
      data: {
        clusterId: cluster.id,
        name: "a",
        kind: "apache-balancer",
        url: server.url,
        balancer: "nosuch",
        pollIntervalMs: 500,
        timeoutMs: 400,
      },
    });
    poller = new Poller(db, 2);
    await poller.start();
    await vi.waitFor(() => expect(getFrontendLive(f.id)?.up).toBe(false), { timeout: 5_000 });
    expect(getFrontendLive(f.id)!.error).toMatch(/no balancer named "nosuch".*mycluster/);
  });

  it("a changed poll interval takes effect at once, not after the old interval runs out", async () => {
    const good = await startCannedServer(200, GOOD_XML);
    servers.push(good);
    const f = await balancerAt(good.url, { pollIntervalMs: 3_600_000 });
    poller = new Poller(db, 4);
    await poller.start();
    await vi.waitFor(() => expect(good.requests.length).toBe(1), { timeout: 4_000, interval: 50 });
    await db.frontend.update({ where: { id: f.id }, data: { pollIntervalMs: 500 } });
    await poller.reload();
    // An hour's wait would show 1 request; the new interval shows more within seconds.
    await vi.waitFor(() => expect(good.requests.length).toBeGreaterThanOrEqual(3), { timeout: 4_000, interval: 100 });
  });
});

describe("mod-jk adapter", () => {
  it("turns an ERROR result (misspelt lb name) into an error, not an empty balancer list", async () => {
    const { modJkAdapter } = await import("@/server/adapters/frontends/mod-jk");
    const xml = fs.readFileSync(
      path.resolve(import.meta.dirname, "../adapters/frontends/mod-jk/__fixtures__/50-err-unknown-worker.xml"),
      "utf8",
    );
    expect(() => modJkAdapter.parseStatus(xml)).toThrow(/Could not find given worker.*lb worker name/);
  });
});
