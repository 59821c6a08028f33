/**
 * Session counts and locate against the lab's real memcached (MSM layout) and Redis (Redisson layout),
 * filled by the seeding tool, whose ground truth (every id, its node and route) the counts must equal.
 * The stores are flushed first: the lab's stores are disposable (the bench does the same).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labStoreEndpoints, seedMemcachedSessions, seedRedisSessions, type TSeedTruth } from "@/e2e/lab/seed-sessions";
import { createTestDb } from "@/test-support/test-db";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { locateSession } from "@/server/services/sessions/sessions";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { listIndexedSessions } from "@/server/services/sessions/session-index/list";
import { resetSessionIndexes, sessionScans } from "@/server/services/sessions/session-index/store-scans";
import type { PrismaClient } from "@/generated/prisma/client";
import { SETUP } from "@/test-support/test-context";

const ep = labStoreEndpoints();
const r1 = new URL(ep.redis[0]!);

describe("session stores in the lab", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let msm: TSeedTruth;
  let redis: TSeedTruth;

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    const nodes = ep.memcached.map((n) => `{ name: ${n.id}, host: ${n.host}, port: ${n.port} }`).join(", ");
    await importInventory(
      db,
      parseInventoryYaml(`clusters:
  - name: lab
    members:
      - { name: tomcat1, route: tomcat1, host: 127.0.0.1 }
      - { name: tomcat2, route: tomcat2, host: 127.0.0.1 }
      - { name: tomcat3, route: tomcat3, host: 127.0.0.1 }
    stores:
      - { name: msm, kind: memcached-msm, options: { sticky: false }, nodes: [${nodes}] }
      - { name: redisson, kind: redis, options: { layout: redisson }, nodes: [{ name: r1, host: ${r1.hostname}, port: ${r1.port} }] }
`),
      SETUP,
    );
    msm = await seedMemcachedSessions(ep.memcached, { sessions: 3000, flush: true, sampleSize: 20 });
    redis = await seedRedisSessions(ep.redis[0]!, { sessions: 2000, flush: true, sampleSize: 20, nodeId: "r1" });
  }, 120_000);
  afterAll(() => cleanup());

  it("counts per member (route) and per store node, from the shared scan, equal the seeded ground truth", async () => {
    resetSessionIndexes();
    await sessionScans().awaitScan(db, "lab", Date.now());
    const summary = await summarizeStores(db, "lab", { viewed: true });
    const byName = Object.fromEntries(summary.map((s) => [s.store, s]));
    expect(byName.msm!.scan).toMatchObject({ error: null, incomplete: [] });
    expect(byName.msm!.counts).toMatchObject({
      total: msm.sessions,
      perNode: msm.sessionsPerNode,
      perRoute: msm.sessionsPerRoute,
      keysPerNode: msm.keysPerNode,
    });
    // Backup copies (bak:) are not counted as sessions: four keys per session, one session.
    // (Not compared with the servers' curr_items: memcached keeps counting flushed items until its crawler reclaims them.)
    expect(Object.values(byName.msm!.counts!.keysPerNode).reduce((a, b) => a + b, 0)).toBe(msm.sessions * 4);
    expect(byName.redisson!.counts).toMatchObject({
      total: redis.sessions,
      perNode: redis.sessionsPerNode,
      perRoute: redis.sessionsPerRoute,
    });
  });

  it("locates an MSM session from a Cookie header: primary + validity on its node, the bak pair on the next", async () => {
    const sample = msm.sample[0]!;
    const res = await locateSession(db, "lab", `Cookie: theme=dark; JSESSIONID=${sample.id}; other=1`);
    expect(res.sessionId).toBe(sample.id);
    expect(res.nodeId).toBe(sample.node);
    const other = sample.node === "n1" ? "n2" : "n1";
    const msmCopies = res.copies.filter((c) => c.store === "msm").map((c) => [c.node, c.role]);
    expect(msmCopies).toEqual(
      expect.arrayContaining([
        [sample.node, "session"],
        [sample.node, "validity"],
        [other, "backup"],
        [other, "backup-validity"],
      ]),
    );
    expect(msmCopies).toHaveLength(4);
    for (const c of res.copies) expect(c.ttlSeconds).toBeGreaterThan(0);
    expect(res.member).toBe(res.route);
  });

  it("the session index lists every seeded session: totals and per-node / per-route filters equal the ground truth; id, prefix and cookie search find one", async () => {
    resetSessionIndexes();
    const first = await listIndexedSessions(db, "lab", {});
    expect(first.status.scannedAt).toBeNull(); // the first look starts the stores' scans and answers at once
    await sessionScans().awaitScan(db, "lab", 0);
    const all = await listIndexedSessions(db, "lab", { limit: 10 });
    expect(all.status.errors).toEqual([]);
    // app-replicas (tomcat-manager) is not in this inventory; msm + redisson only.
    expect(all.total).toBe(msm.sessions + redis.sessions);
    expect((await listIndexedSessions(db, "lab", { store: "msm", limit: 1 })).matched).toBe(msm.sessions);
    for (const [node, n] of Object.entries(msm.sessionsPerNode))
      expect((await listIndexedSessions(db, "lab", { store: "msm", node, limit: 1 })).matched).toBe(n);
    for (const [route, n] of Object.entries(msm.sessionsPerRoute))
      expect((await listIndexedSessions(db, "lab", { store: "msm", route, limit: 1 })).matched).toBe(n);
    for (const [route, n] of Object.entries(redis.sessionsPerRoute))
      expect((await listIndexedSessions(db, "lab", { store: "redisson", route, limit: 1 })).matched).toBe(n);

    const sample = msm.sample[1]!;
    const byId = await listIndexedSessions(db, "lab", { q: sample.id });
    expect(byId.rows).toHaveLength(1);
    expect(byId.rows[0]).toMatchObject({ sessionId: sample.id, store: "msm", node: sample.node, copies: 1 });
    expect(byId.rows[0]!.ttlSeconds).toBeGreaterThan(0);
    expect(byId.rows[0]!.size).toBeGreaterThan(0);
    const byPrefix = await listIndexedSessions(db, "lab", { q: sample.id.slice(0, 6), limit: 500 });
    expect(byPrefix.rows.map((r) => r.sessionId)).toContain(sample.id);
    expect(byPrefix.rows.every((r) => r.sessionId.startsWith(sample.id.slice(0, 6)))).toBe(true);
    expect(
      (await listIndexedSessions(db, "lab", { q: `Cookie: a=b; JSESSIONID=${sample.id}` })).rows[0]?.sessionId,
    ).toBe(sample.id);
    // Paging walks the whole store without repeats.
    const seen = new Set<string>();
    for (let offset = 0; offset < msm.sessions; offset += 500)
      for (const r of (await listIndexedSessions(db, "lab", { store: "msm", offset, limit: 500 })).rows)
        seen.add(r.sessionId);
    expect(seen.size).toBe(msm.sessions);
    await expect(listIndexedSessions(db, "nosuch", {})).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("locates a Redis session and reports a session nobody holds", async () => {
    const res = await locateSession(db, "lab", redis.sample[0]!.id);
    expect(res.copies.filter((c) => c.store === "redisson").map((c) => [c.node, c.role])).toEqual([["r1", "session"]]);
    const missing = await locateSession(db, "lab", "0123456789ABCDEF0123456789ABCDEF-n1.tomcat2");
    expect(missing.copies).toEqual([]);
    expect(missing.warnings.join(" ")).toContain("No store holds a copy");
    await expect(locateSession(db, "lab", "not a session id")).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("sessions from real traffic (lab MSM stand-in behind frontends A and B)", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    const { labValue, loadLabEnv } = await import("@/test-support/lab/lab-env");
    await (
      await import("@/server/services/inventory/inventory")
    ).importInventoryFile(db, labValue(loadLabEnv(), "LAB_INVENTORY"));
  });
  afterAll(() => cleanup());

  it("after the traffic generator has run, counts per member and per store node equal what its users recorded", async () => {
    const { labValue, loadLabEnv } = await import("@/test-support/lab/lab-env");
    const { runTraffic } = await import("@/e2e/lab/traffic");
    const env = loadLabEnv();
    await seedMemcachedSessions(ep.memcached, { sessions: 0, flush: true }); // start from empty nodes
    const path = labValue(env, "LAB_MSM_PATH");
    const report = await runTraffic({
      users: 12,
      ratePerSec: 36,
      durationMs: 4_000,
      targets: [
        `${labValue(env, "LAB_FRONTEND_A_URL").replace(/\/app$/, path)}/counter`,
        `${labValue(env, "LAB_FRONTEND_B_URL").replace(/\/app$/, path)}/counter`,
      ],
    });
    expect(report.totals).toMatchObject({ failures: 0, sessionLost: 0 });
    // Ground truth: each user's session id names its memcached node (-nX) and its route (.tomcatN).
    const truthNode: Record<string, number> = {};
    const truthRoute: Record<string, number> = {};
    for (const u of report.users) {
      const id = u.sessionIds[u.sessionIds.length - 1]!;
      const m = /^[0-9A-F]+-(\w+)\.(.+)$/.exec(id);
      expect(m, `session id ${id} is not in MSM's format`).not.toBeNull();
      truthNode[m![1]!] = (truthNode[m![1]!] ?? 0) + 1;
      truthRoute[m![2]!] = (truthRoute[m![2]!] ?? 0) + 1;
    }
    resetSessionIndexes();
    await sessionScans().awaitScan(db, "lab", Date.now());
    const msmStore = (await summarizeStores(db, "lab", { viewed: true })).find((s) => s.store === "msm")!;
    expect(msmStore.scan).toMatchObject({ error: null, incomplete: [] });
    expect(msmStore.counts).toMatchObject({ total: report.users.length, perNode: truthNode, perRoute: truthRoute });
    // And one user's session is located with its four copies, its content decoded: the counter it saw last.
    const user = report.users[0]!;
    const one = await locateSession(db, "lab", user.sessionIds.at(-1)!);
    expect(
      one.copies
        .filter((c) => c.store === "msm")
        .map((c) => c.role)
        .sort(),
    ).toEqual(["backup", "backup-validity", "session", "validity"]);
    const detail = one.details.find((d) => d.store === "msm")!;
    expect(detail).toMatchObject({ decodeError: null, maxInactiveInterval: 1800 });
    // The generator's last request may have been cut short by the end of the run after the server counted it.
    expect(detail.attributes.map((a) => a.name)).toEqual(["counter"]);
    expect([String(user.lastCounter), String(user.lastCounter! + 1)]).toContain(detail.attributes[0]!.value);
  }, 60_000);
});
