/**
 * memcached-session-manager in sticky mode, as the lab's MSM stand-in imitates it on /sticky (memcached n4
 * and n5; tomcat1 stores on n4 with n5 as its failover node, tomcat2 the other way round, tomcat3 on
 * either): each Tomcat holds its sessions in memory and writes only the session key to memcached, with a
 * TTL 6 s short of the session's timeout. The console must count the memcached copies per node and per
 * member exactly, raise no warning on a healthy sticky session, warn when the copy is missing, and follow
 * the re-id a Tomcat makes when it takes over another's user (-n5.tomcat2 → -n4.tomcat1).
 * Start the lab first: bash e2e/lab/lab.sh up
 */
import { describe, expect, it, vi } from "vitest";
import { startTraffic, type TTrafficReport } from "@/e2e/lab/traffic";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { parseSessionId, routeOfSessionId } from "@/server/domain/session-id";
import { rehomingStatus } from "@/server/services/sessions/rehoming";
import { checkSafeToStop } from "@/server/services/sessions/safe-to-stop";
import { locateSession } from "@/server/services/sessions/sessions";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { routeAwareTargets } from "@/test-support/lab/lab-frontends";
import {
  expectNoUserHarm,
  expectRenamedOnce,
  stopMemberUnderUsers,
  useLabCluster,
} from "@/test-support/lab/lab-rollout";
import { expireLabContextSessions } from "@/test-support/lab/lab-stores";

const env = loadLabEnv();
const CONTEXT = labValue(env, "LAB_STICKY_PATH");
const STORE = "msm-sticky";
// Through the route-aware frontends only (not nginx's cookie hash): see routeAwareTargets.
const targets = routeAwareTargets(env, CONTEXT);
/** The memcached node each Tomcat stores on (its other node is its failover node); tomcat3 has none. */
const HOME_NODE: Record<string, string> = { tomcat1: "n4", tomcat2: "n5" };

function tally(ids: string[], part: (id: string) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[part(id)] = (out[part(id)] ?? 0) + 1;
  return out;
}
const nodeOf = (id: string) => parseSessionId(id).nodeId!;
const routeOf = (id: string) => routeOfSessionId(id)!;
const lastIds = (r: TTrafficReport) => r.users.map((u) => u.sessionIds.at(-1)!);

describe("sticky MSM (/sticky): the Tomcat holds the session, memcached the copy it fails over to", () => {
  const lab = useLabCluster(env, { context: CONTEXT });

  async function storeCounts() {
    await sessionScans().awaitScan(lab.db, "lab", Date.now());
    return (await summarizeStores(lab.db, "lab", { viewed: true })).find((s) => s.store === STORE)!;
  }

  it("counts per node and member equal the users' ids; no warning on any healthy sticky session; a missing copy is warned about and makes its member unsafe to stop", async () => {
    const report = await runUsers(3);
    expectNoUserHarm(report);
    const ids = lastIds(report);
    for (const id of ids) if (HOME_NODE[routeOf(id)]) expect(nodeOf(id), id).toBe(HOME_NODE[routeOf(id)]);

    const store = await storeCounts();
    expect(store.scan).toMatchObject({ error: null, incomplete: [] });
    expect(store.counts).toMatchObject({
      total: ids.length,
      perNode: tally(ids, nodeOf),
      perRoute: tally(ids, routeOf),
    });

    for (const id of ids) {
      const r = await locateSession(lab.db, "lab", id);
      expect(
        r.copies.map((c) => [c.store, c.node, c.role]),
        id,
      ).toEqual([[STORE, nodeOf(id), "session"]]);
      expect(r.layouts.find((l) => l.store === STORE)?.layout, id).toMatch(/^sticky/);
      expect(r.storeErrors, id).toEqual([]);
      expect(r.warnings, id).toEqual([]);
    }

    // One user's copy disappears from memcached (its user idle): the session is now only in tomcat1's memory.
    const victim = ids.find((id) => routeOf(id) === "tomcat1")!;
    const n4 = Number(labValue(env, "LAB_MEMCACHED4_PORT"));
    const c = new MemcachedTextClient({ host: "127.0.0.1", port: n4, timeoutMs: 2_000 });
    try {
      expect(await c.metaDelete(victim)).toBe(true);
    } finally {
      c.close();
    }
    const located = await locateSession(lab.db, "lab", victim);
    expect(located.copies).toEqual([]);
    expect(located.warnings).toEqual([
      `${STORE}: no copy in memcached n4: in sticky mode the session is then only in the memory of its Tomcat (route tomcat1), and its user starts over if that Tomcat stops or fails`,
    ]);
    const safe = await checkSafeToStop(lab.db, "lab", "tomcat1", { listedAfter: 0, waitForScan: false });
    const routed = ids.filter((id) => routeOf(id) === "tomcat1");
    expect(safe.perStore.find((s) => s.store === STORE)).toMatchObject({
      total: routed.length,
      safe: routed.length - 1,
      error: null,
    });
    expect(safe.unsafe.filter((u) => u.store === STORE).map((u) => u.sessionId)).toEqual([victim]);
    expect(safe.verdict).toBe("unsafe");
  }, 120_000);

  it("stop tomcat2 under users: no failed request, no lost session; each taken-over session gets its new Tomcat's route and node, is counted once, and re-homing names it", async () => {
    await expireLabContextSessions(env, CONTEXT); // the first test's idle users
    const report = await stopMemberUnderUsers(lab.db, targets, "tomcat2");
    expectNoUserHarm(report);
    const tomcat2Users = expectRenamedOnce(report, "tomcat2");
    // Taken over by tomcat1: the new id also names tomcat1's own memcached node.
    for (const u of tomcat2Users)
      if (routeOf(u.sessionIds[1]!) === "tomcat1") expect(nodeOf(u.sessionIds[1]!)).toBe("n4");

    // The takeover deleted each old key: every session counted once, where its new id says.
    const ids = lastIds(report);
    const store = await storeCounts();
    expect(store.counts).toMatchObject({
      total: ids.length,
      perNode: tally(ids, nodeOf),
      perRoute: tally(ids, routeOf),
    });

    const rehoming = await rehomingStatus(lab.db, "lab", "tomcat2");
    const sticky = rehoming.stores.find((s) => s.store === STORE)!;
    expect(sticky).toMatchObject({ routed: 0, renamed: tomcat2Users.length, error: null });
    expect([...sticky.renamedIds].sort()).toEqual(tomcat2Users.map((u) => u.sessionIds[1]!).sort());
  }, 240_000);

  /** Users on /sticky until each made `requests` requests, then paused (their sessions stay put). */
  async function runUsers(requests: number): Promise<TTrafficReport> {
    const traffic = startTraffic({ users: 24, ratePerSec: 40, durationMs: 600_000, targets });
    const reached = vi.waitFor(() => expect(traffic.snapshot().users.every((u) => u.requests >= requests)).toBe(true), {
      timeout: 30_000,
      interval: 200,
    });
    await reached.finally(() => traffic.stop());
    return traffic.stop();
  }
});
