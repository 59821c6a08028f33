import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import {
  BUCKET_MS,
  compactHistory,
  forEachMember,
  HistoryRecorder,
  packMembers,
  type TMemberValues,
} from "@/server/poller/history";
import { getClusterHistory, getRequestShares } from "@/server/services/clusters/history-query";
import type { TFrontendLive, TLiveMember } from "@/server/poller/live-state";
import type { PrismaClient } from "@/generated/prisma/client";

const member = (route: string, requestsPerSec: number, over: Partial<TLiveMember> = {}): TLiveMember => ({
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
  rates: { requestsPerSec, errorsPerSec: null, bytesPerSec: 100 },
  ...over,
});

function poll(clusterId: number, frontendId: number, at: number, members: TLiveMember[], up = true): TFrontendLive {
  return {
    frontendId,
    clusterId,
    up,
    error: up ? null : "boom",
    errorCode: up ? null : "TARGET_TIMEOUT",
    lastPollAt: new Date(at),
    lastGoodAt: new Date(at),
    durationMs: 3,
    members,
    stale: !up,
    balancerRaw: {},
  };
}

// A bucket start well inside a minute, so the 10-second buckets and the minute line up predictably.
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe("history: 10-second buckets per cluster member, written in batches", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
  });
  afterEach(() => cleanup());

  async function seed() {
    const c = await db.cluster.create({ data: { name: "c" } });
    await db.member.create({
      data: { clusterId: c.id, name: "tomcat1", route: "tomcat1", host: "127.0.0.1", httpPort: 18081 },
    });
    const a = await db.frontend.create({
      data: { clusterId: c.id, name: "a", kind: "apache-balancer", url: "http://x/", balancer: "b" },
    });
    const b = await db.frontend.create({
      data: { clusterId: c.id, name: "b", kind: "mod-jk", url: "http://y/", balancer: "lb" },
    });
    const n = await db.frontend.create({
      data: { clusterId: c.id, name: "n", kind: "nginx", url: "http://z/", balancer: "tomcats" },
    });
    return { c, a, b, n };
  }

  it("averages each frontend over the bucket, adds the frontends up per member, one transaction per flush", async () => {
    const { c, a, b, n } = await seed();
    const rec = new HistoryRecorder(db);
    const start = NOW - 60_000;
    // Frontend a: 5 polls with 1..5 req/s (mean 3); b: 2 polls with 4 and 6 (mean 5); both busy 2, one poll failing.
    for (let i = 0; i < 5; i++) rec.record(poll(c.id, a.id, start + i * 2000, [member("tomcat1", i + 1)]));
    rec.record(
      poll(c.id, b.id, start + 1000, [
        member("tomcat1", 4, { rates: { requestsPerSec: 4, errorsPerSec: 1, bytesPerSec: 100 } }),
      ]),
    );
    rec.record(
      poll(c.id, b.id, start + 3000, [
        member("tomcat1", 6, { health: "failing", rates: { requestsPerSec: 6, errorsPerSec: 3, bytesPerSec: 100 } }),
      ]),
    );
    // nginx has no routes: its member is matched to tomcat1 by host and port; an unknown one keeps its key.
    const byPort = member("", 2, { key: "127.0.0.1:18081", host: "127.0.0.1", port: 18081 });
    const stranger = member("", 1, { key: "127.0.0.1:9999", host: "127.0.0.1", port: 9999 });
    rec.record(poll(c.id, n.id, start + 500, [byPort, stranger]));
    // A first poll has no rates and adds nothing; a failed poll adds nothing but its outcome.
    rec.record(poll(c.id, a.id, start + 9000, [member("tomcat9", 0, { rates: null })]));

    // Nothing is written before the bucket has closed (plus its grace).
    expect(await rec.flush(start + BUCKET_MS)).toBe(0);
    expect(await db.frontendPoll.count()).toBe(3);
    rec.record(poll(c.id, b.id, start + 15_000, [], false));
    expect(await rec.flush(start + BUCKET_MS + 3_000)).toBe(1);

    const rows = await db.clusterSample.findMany();
    expect(rows.map((r) => [r.clusterId, r.resolution, r.at.getTime()])).toEqual([[c.id, 10, start]]);
    const members = unpack(rows[0]!.members);
    expect([...members.keys()].sort()).toEqual(["127.0.0.1:9999", "tomcat1"]);
    const t1 = members.get("tomcat1")!;
    expect(t1.requestsPerSec).toBe(3 + 5 + 2);
    expect(t1.errorsPerSec).toBe(2); // only mod_jk counts errors: mean of 1 and 3
    expect(t1.busy).toBe(6);
    expect(t1.healthyRatio).toBeCloseTo((1 + 0.5 + 1) / 3, 5);
    expect(rows[0]).toMatchObject({ requestsPerSec: 11, errorsPerSec: 2, busy: 8 });
    expect(await db.frontendPoll.findUniqueOrThrow({ where: { frontendId: b.id } })).toMatchObject({
      up: false,
      errorCode: "TARGET_TIMEOUT",
    });
  });

  function unpack(text: string): Map<string, TMemberValues> {
    const out = new Map<string, TMemberValues>();
    forEachMember(text, (route, v) => out.set(route, v));
    return out;
  }

  it("keeps rows a failed write could not store and writes them with the next flush", async () => {
    const { c, a } = await seed();
    const rec = new HistoryRecorder(db);
    rec.record(poll(c.id, a.id, NOW - 60_000, [member("tomcat1", 3)]));
    const real = db.$transaction.bind(db);
    let fail = true;
    (db as unknown as { $transaction: unknown }).$transaction = (...args: Parameters<typeof real>) => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error("database is locked"));
      }
      return real(...args);
    };
    await expect(rec.flush(NOW)).rejects.toThrow("database is locked");
    expect(await db.clusterSample.count()).toBe(0);
    expect(await rec.flush(NOW)).toBe(1);
    expect(await db.clusterSample.count()).toBe(1);
  });

  /** A stored bucket of members m0..m{n-1} whose values are f(i). */
  function bucket(clusterId: number, at: number, resolution: number, n: number, f: (i: number) => number) {
    const values = new Map<string, TMemberValues>();
    for (let i = 0; i < n; i++)
      values.set(`m${i}`, { requestsPerSec: f(i), errorsPerSec: null, bytesPerSec: 10, busy: 1, healthyRatio: 1 });
    let total = 0;
    for (const v of values.values()) total += v.requestsPerSec;
    return {
      clusterId,
      at: new Date(at),
      resolution,
      members: packMembers(values),
      requestsPerSec: total,
      errorsPerSec: null,
      bytesPerSec: 10 * n,
      busy: n,
    };
  }

  it("makes a minute row as soon as its minute has closed, ten-minute rows from minutes, and prunes by age", async () => {
    const c = await db.cluster.create({ data: { name: "c" } });
    const minute = NOW - 5 * 60_000;
    // One minute: 6 buckets of 2 members, m0 at 1..6 req/s (mean 3.5), m1 only in the first 3 (mean 20).
    await db.clusterSample.createMany({
      data: Array.from({ length: 6 }, (_, k) => {
        const row = bucket(c.id, minute + k * 10_000, 10, k < 3 ? 2 : 1, (i) => (i === 0 ? k + 1 : 20));
        return row;
      }),
    });
    // Ten minutes of minute rows, two days ago (alternating 2 and 4): one ten-minute row at 3.
    await db.clusterSample.createMany({
      data: Array.from({ length: 10 }, (_, k) =>
        bucket(c.id, NOW - 2 * 86_400_000 + k * 60_000, 60, 1, () => (k % 2 ? 4 : 2)),
      ),
    });
    // Older than 30 days, and 10-second rows older than an hour: pruned.
    await db.clusterSample.createMany({
      data: [bucket(c.id, NOW - 31 * 86_400_000, 600, 1, () => 1), bucket(c.id, NOW - 2 * 3600_000, 10, 1, () => 1)],
    });

    await compactHistory(db, NOW);
    const rows = await db.clusterSample.findMany({ orderBy: [{ resolution: "asc" }, { at: "asc" }] });
    const minuteRow = rows.find((r) => r.resolution === 60 && r.at.getTime() === minute)!;
    expect(unpack(minuteRow.members).get("m0")!.requestsPerSec).toBe(3.5);
    expect(unpack(minuteRow.members).get("m1")!.requestsPerSec).toBe(20);
    expect(minuteRow.requestsPerSec).toBeCloseTo((21 + 22 + 23 + 4 + 5 + 6) / 6);
    const tenMinutes = rows.filter((r) => r.resolution === 600);
    expect(tenMinutes.map((r) => [r.at.getTime(), unpack(r.members).get("m0")!.requestsPerSec])).toContainEqual([
      NOW - 2 * 86_400_000,
      3,
    ]);
    expect(rows.filter((r) => r.resolution === 10).map((r) => r.at.getTime() >= NOW - 3600_000)).not.toContain(false);
    expect(rows.some((r) => r.at.getTime() === NOW - 31 * 86_400_000)).toBe(false);

    // Idempotent: a second pass makes nothing twice.
    const count = await db.clusterSample.count();
    await compactHistory(db, NOW);
    expect(await db.clusterSample.count()).toBe(count);
  });

  it("waits for a minute's last buckets (written up to a flush after it closed) before rolling it up", async () => {
    const c = await db.cluster.create({ data: { name: "c" } });
    const minute = Math.floor(NOW / 60_000) * 60_000 - 60_000;
    await db.clusterSample.createMany({ data: [bucket(c.id, minute, 10, 1, () => 1)] });
    await compactHistory(db, minute + 60_000 + 5_000);
    expect(await db.clusterSample.count({ where: { resolution: 60 } })).toBe(0);
    await compactHistory(db, minute + 60_000 + 31_000);
    expect(await db.clusterSample.count({ where: { resolution: 60 } })).toBe(1);
  });

  it("works off a backlog (a console that was down for a while) a bounded number of buckets per pass", async () => {
    const c = await db.cluster.create({ data: { name: "c" } });
    // 40 minutes of 10-second rows of 50 members, ending a minute ago.
    const start = NOW - 41 * 60_000;
    await db.clusterSample.createMany({
      data: Array.from({ length: 240 }, (_, k) => bucket(c.id, start + k * 10_000, 10, 50, () => 2)),
    });
    await compactHistory(db, NOW);
    const minutes = await db.clusterSample.findMany({ where: { resolution: 60 } });
    expect(minutes.length).toBe(40);
    expect(minutes.every((m) => [...unpack(m.members).values()].every((v) => v.requestsPerSec === 2))).toBe(true);
  });
});

describe("history queries: the busiest members, the cluster total, shares", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let clusterId = 0;
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    clusterId = (await db.cluster.create({ data: { name: "big" } })).id;
    // 30 members over the last 15 minutes: m<i> takes i req/s; every 7th has errors (i/10 per second).
    const data = [];
    for (let b = 0; b < 90; b++) {
      const values = new Map<string, TMemberValues>();
      for (let i = 1; i <= 30; i++)
        values.set(`m${String(i).padStart(2, "0")}`, {
          requestsPerSec: i,
          errorsPerSec: i % 7 === 0 ? i / 10 : 0,
          bytesPerSec: 100 * i,
          busy: 1,
          healthyRatio: 1,
        });
      data.push({
        clusterId,
        at: new Date(NOW - 900_000 + b * 10_000),
        resolution: 10,
        members: packMembers(values),
        requestsPerSec: 465,
        errorsPerSec: 8.4,
        bytesPerSec: 46_500,
        busy: 30,
      });
    }
    await db.clusterSample.createMany({ data });
  });
  afterEach(() => cleanup());

  it("draws the top N by requests, with the whole cluster's total, from the 10-second buckets", async () => {
    const h = await getClusterHistory(db, "big", "15m", { top: "requests", n: 3 }, NOW);
    expect(h.routes).toEqual(["m30", "m29", "m28"]);
    expect(h.bucketMs).toBe(10_000);
    expect(h.points).toHaveLength(90);
    expect(Object.keys(h.points[0]!.values).sort()).toEqual(["m28", "m29", "m30"]);
    expect(h.points[5]!.values.m29).toEqual({ requestsPerSec: 29, busy: 1, errorsPerSec: 0, bytesPerSec: 2900 });
    expect(h.points[5]!.total.requestsPerSec).toBe((30 * 31) / 2);
    expect(h.points[5]!.total.busy).toBe(30);
  });

  it("draws the top N by errors, or the members asked for", async () => {
    const byErrors = await getClusterHistory(db, "big", "15m", { top: "errors", n: 2 }, NOW);
    expect(byErrors.routes).toEqual(["m28", "m21"]);
    const picked = await getClusterHistory(db, "big", "1h", { members: ["m01", "m07"] }, NOW);
    expect(picked.routes).toEqual(["m01", "m07"]);
    expect(picked.bucketMs).toBe(30_000);
    for (const p of picked.points) expect(p.values.m07!.errorsPerSec).toBeCloseTo(0.7);
  });

  it("a selection's share of the cluster's requests", async () => {
    const { share, byRoute } = await getRequestShares(db, "big", ["m30", "m15"], NOW - 300_000);
    expect(byRoute.get("m30")).toBeCloseTo(30 / 465);
    expect(share).toBeCloseTo(45 / 465);
    expect((await getRequestShares(db, "big", ["m01"], NOW + 60_000)).share).toBeNull();
  });
});
