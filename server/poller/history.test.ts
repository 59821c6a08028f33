import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { compactHistory, recordSamples } from "@/server/poller/history";
import { getClusterHistory } from "@/server/services/clusters/history-query";
import { forgetFrontendLive, setFrontendLive, type TLiveMember } from "@/server/poller/live-state";
import type { PrismaClient } from "@/generated/prisma/client";

const member = (route: string, requestsPerSec: number): TLiveMember => ({
  key: route,
  route,
  host: null,
  port: null,
  adminState: "active",
  health: "healthy",
  elected: 0,
  busy: 2,
  errors: 0,
  bytesIn: 0,
  bytesOut: 0,
  loadfactor: 1,
  lbset: 0,
  raw: {},
  rates: { requestsPerSec, errorsPerSec: 0, bytesPerSec: 100 },
});

describe("history: raw for an hour, coarser beyond", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
  });
  afterEach(() => cleanup());

  it("rolls raw polls older than an hour into 1-minute buckets with averaged rates", async () => {
    const c = await db.cluster.create({ data: { name: "c" } });
    const f = await db.frontend.create({
      data: { clusterId: c.id, name: "a", kind: "apache-balancer", url: "http://x/", balancer: "b" },
    });
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const twoHoursAgo = now - 2 * 3600_000;
    // 30 polls 2 s apart within one minute, two hours ago: rates 1..30 → mean 15.5
    for (let i = 0; i < 30; i++)
      await recordSamples(db, f.id, new Date(twoHoursAgo + i * 2000), [member("tomcat1", i + 1)]);
    // a recent poll stays raw
    await recordSamples(db, f.id, new Date(now - 60_000), [member("tomcat1", 7)]);
    // the first poll of a member has no rate and writes nothing
    await recordSamples(db, f.id, new Date(now), [{ ...member("tomcat2", 1), rates: null }]);

    await compactHistory(db, now);

    const rows = await db.memberSample.findMany({ orderBy: { at: "asc" } });
    expect(rows.map((r) => [r.resolution, r.requestsPerSec])).toEqual([
      [60, 15.5],
      [0, 7],
    ]);
    expect(rows[0]!.at.getTime()).toBe(twoHoursAgo);

    const day = await getClusterHistory(db, "c", "24h", now);
    expect(day.routes).toEqual(["tomcat1"]);
    expect(day.points.map((p) => p.values.tomcat1!.requestsPerSec)).toEqual([15.5, 7]);
    // 15 minutes only sees the raw recent point
    const recent = await getClusterHistory(db, "c", "15m", now);
    expect(recent.points).toHaveLength(1);
    expect(recent.points[0]!.values.tomcat1).toEqual({ requestsPerSec: 7, busy: 2, errorsPerSec: 0, bytesPerSec: 100 });
  });

  it("compacts a backlog larger than the database's parameter limit (a console that was down for a while)", async () => {
    const c = await db.cluster.create({ data: { name: "c" } });
    const f = await db.frontend.create({
      data: { clusterId: c.id, name: "a", kind: "apache-balancer", url: "http://x/", balancer: "b" },
    });
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const start = now - 3 * 3600_000;
    // 12,000 raw samples over 40 minutes, three hours ago: 4 members every 0.8 s.
    const rows = Array.from({ length: 12_000 }, (_, i) => ({
      frontendId: f.id,
      memberKey: `tomcat${i % 4}`,
      route: `tomcat${i % 4}`,
      at: new Date(start + Math.floor(i / 4) * 800),
      resolution: 0,
      requestsPerSec: 2,
      errorsPerSec: 0,
      bytesPerSec: 10,
      busy: 0,
      healthyRatio: 1,
    }));
    for (let i = 0; i < rows.length; i += 1000) await db.memberSample.createMany({ data: rows.slice(i, i + 1000) });

    await compactHistory(db, now);

    expect(await db.memberSample.count({ where: { resolution: 0 } })).toBe(0);
    const minutes = await db.memberSample.findMany({ where: { resolution: 60 } });
    expect(minutes.length).toBe(4 * 40); // one per member per minute
    expect(minutes.every((m) => m.requestsPerSec === 2)).toBe(true);
    // 12,000 inserts and a roll-up: seconds on a loaded 2-core machine, so not the default 10 s budget.
  }, 60_000);

  it("adds up frontends per member: each frontend sends its own traffic", async () => {
    const c = await db.cluster.create({ data: { name: "c" } });
    const a = await db.frontend.create({
      data: { clusterId: c.id, name: "a", kind: "apache-balancer", url: "http://x/", balancer: "b" },
    });
    const b = await db.frontend.create({
      data: { clusterId: c.id, name: "b", kind: "mod-jk", url: "http://y/", balancer: "lb" },
    });
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    await recordSamples(db, a.id, new Date(now - 5000), [member("tomcat1", 3)]);
    await recordSamples(db, b.id, new Date(now - 5000), [member("tomcat1", 4)]);
    const h = await getClusterHistory(db, "c", "15m", now);
    expect(h.points).toHaveLength(1);
    expect(h.points[0]!.values.tomcat1!.requestsPerSec).toBe(7);
    expect(h.points[0]!.values.tomcat1!.busy).toBe(4);
  });

  it("a frontend without routes (nginx) adds to the inventory member its live reading matches by host and port", async () => {
    const c = await db.cluster.create({ data: { name: "c" } });
    await db.member.create({
      data: { clusterId: c.id, name: "tomcat1", route: "tomcat1", host: "127.0.0.1", httpPort: 18081 },
    });
    const a = await db.frontend.create({
      data: { clusterId: c.id, name: "a", kind: "apache-balancer", url: "http://x/", balancer: "b" },
    });
    const n = await db.frontend.create({
      data: { clusterId: c.id, name: "n", kind: "nginx", url: "http://y/", balancer: "tomcats" },
    });
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const byPort = { ...member("", 4), key: "127.0.0.1:18081", host: "127.0.0.1", port: 18081 };
    const unknown = { ...member("", 1), key: "127.0.0.1:9999", host: "127.0.0.1", port: 9999 };
    await recordSamples(db, a.id, new Date(now - 5000), [member("tomcat1", 3)]);
    await recordSamples(db, n.id, new Date(now - 5000), [byPort, unknown]);
    setFrontendLive({
      frontendId: n.id,
      clusterId: c.id,
      up: true,
      error: null,
      errorCode: null,
      lastPollAt: null,
      lastGoodAt: null,
      durationMs: 1,
      members: [byPort, unknown],
      stale: false,
      balancerRaw: {},
    });
    try {
      const h = await getClusterHistory(db, "c", "15m", now);
      // Not in the inventory: still a line, under the frontend's own key.
      expect(h.routes).toEqual(["127.0.0.1:9999", "tomcat1"]);
      expect(h.points[0]!.values.tomcat1!.requestsPerSec).toBe(7);
    } finally {
      forgetFrontendLive(n.id);
    }
  });
});
