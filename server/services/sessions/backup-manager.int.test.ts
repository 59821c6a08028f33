/**
 * Tomcat's BackupManager in the lab (/backup on the three Tomcats, behind all four frontends): each session
 * has its primary on the Tomcat that serves it and one backup on one other Tomcat; the third holds only a
 * proxy (the id, no data), which listSessionIds does not list. Users run on /backup; the console reads each
 * Tomcat's list through the Manager app (store backup-replicas). Start the lab first: bash e2e/lab/lab.sh up
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { startTraffic, type TTrafficReport } from "@/e2e/lab/traffic";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { checkSafeToStop } from "@/server/services/sessions/safe-to-stop";
import { locateSession } from "@/server/services/sessions/sessions";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { resetSessionIndexes, sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { routeOfSessionId } from "@/server/domain/session-id";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labFrontends } from "@/test-support/lab/lab-frontends";
import { expectNoUserHarm, useLabCluster } from "@/test-support/lab/lab-rollout";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
const CONTEXT = labValue(env, "LAB_BACKUP_PATH");
const STORE = "backup-replicas";
const targets = FRONTENDS.map((f) => f.appUrl.replace(/\/app\/counter$/, `${CONTEXT}/counter`));
const who = { principal: null, actor: "integration-test", ip: null };

/** Each user's current session id (the last it was given). */
const lastIds = (r: TTrafficReport) => r.users.map((u) => u.sessionIds.at(-1)!);

function perRoute(ids: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[routeOfSessionId(id)!] = (out[routeOfSessionId(id)!] ?? 0) + 1;
  return out;
}

describe("BackupManager (/backup): primary and one backup per session", () => {
  const traffic = { handle: null as ReturnType<typeof startTraffic> | null };
  /** Sessions of users who have stopped (they live on until their timeout). */
  const idle: string[] = [];
  const lab = useLabCluster(env, {
    context: CONTEXT,
    prepare: async () => {
      traffic.handle = startTraffic({ users: 24, ratePerSec: 40, durationMs: 600_000, targets });
      await vi.waitFor(() => expect(traffic.handle!.snapshot().users.every((u) => u.requests >= 3)).toBe(true), {
        timeout: 30_000,
        interval: 200,
      });
    },
  });
  afterAll(() => traffic.handle?.stop());

  /** Every user's session: the Tomcats holding it, by role, as the console locates it. */
  async function holders(ids: string[]) {
    return Promise.all(
      ids.map(async (id) => ({
        id,
        copies: (await locateSession(lab.db, "lab", id)).copies
          .filter((c) => c.store === STORE)
          .map((c) => [c.node, c.role] as const)
          .sort(),
      })),
    );
  }

  it("counts each session once, per member as its users saw it; each is held by two Tomcats: its primary where its user is served, and one backup", async () => {
    const users = traffic.handle!.snapshot().users;
    const ids = users.map((u) => u.sessionIds.at(-1)!);
    resetSessionIndexes();
    await sessionScans().awaitScan(lab.db, "lab", Date.now());
    const store = (await summarizeStores(lab.db, "lab", { viewed: true })).find((s) => s.store === STORE)!;
    expect(store.scan).toMatchObject({ error: null, incomplete: [] });
    expect(store.counts).toMatchObject({ total: ids.length, perRoute: perRoute(ids) });
    const held = await holders(ids);
    // Locate reads the lists only: asking a Tomcat for a BackupManager session's times would move it there.
    const located = await locateSession(lab.db, "lab", ids[0]!);
    expect(located.details.find((d) => d.store === STORE)?.attributesNote).toMatch(/^BackupManager: asking a Tomcat/);
    expect(await holders(ids)).toEqual(held);
    users.forEach((u, i) => {
      const h = held[i]!;
      const nodes = h.copies.map(([node]) => node);
      expect(new Set(nodes).size, h.id).toBe(2);
      // The primary is on the Tomcat that serves the user (a route-blind balancer may pick any).
      const servedBy = u.nodesSeen.at(-1)!;
      expect(nodes, h.id).toContain(servedBy);
      // Where the balancer honours the route, that is the route's Tomcat, shown as the session itself.
      if (servedBy === routeOfSessionId(h.id)) expect(h.copies, h.id).toContainEqual([servedBy, "session"]);
    });
    // Most users are behind balancers that honour the route (three of the four frontends).
    expect(users.filter((u) => u.nodesSeen.at(-1) === routeOfSessionId(u.sessionIds.at(-1)!)).length).toBeGreaterThan(
      users.length / 2,
    );
  });

  it("safe to stop tomcat2? unsafe for exactly the sessions it holds whose only other copy is on tomcat3, once tomcat3 is out of rotation", async () => {
    // With users paused, every session stays where it is (a request may move a primary to another Tomcat).
    const report = await traffic.handle!.stop();
    traffic.handle = null;
    expectNoUserHarm(report);
    idle.push(...lastIds(report));
    const held = await holders(lastIds(report));
    const onTomcat2 = held.filter((h) => h.copies.some(([node]) => node === "tomcat2"));
    const routed = onTomcat2.filter((h) => routeOfSessionId(h.id) === "tomcat2").map((h) => h.id);
    const onlyElsewhereOnTomcat3 = onTomcat2
      .filter((h) => h.copies.every(([node]) => node === "tomcat2" || node === "tomcat3"))
      .map((h) => h.id);
    // BackupManager picks backups round-robin: tomcat2's sessions have theirs on tomcat1 and on tomcat3.
    expect(onlyElsewhereOnTomcat3.length).toBeGreaterThan(0);
    expect(onlyElsewhereOnTomcat3.length).toBeLessThan(onTomcat2.length);
    // A session Tomcat left with no other copy (rare: it happens around a member's restart) is unsafe.
    const alone = onTomcat2.filter((h) => h.copies.every(([node]) => node === "tomcat2")).map((h) => h.id);
    const before = await checkSafeToStop(lab.db, "lab", "tomcat2", { listedAfter: Date.now(), waitForScan: true });
    const counted0 = new Set([...routed, ...alone]).size;
    expect(before.perStore.find((s) => s.store === STORE)).toMatchObject({
      total: counted0,
      safe: counted0 - alone.length,
    });

    await applyMemberChange(lab.db, "lab", "tomcat3", { kind: "state", state: "stopped" }, who);
    try {
      const r = await checkSafeToStop(lab.db, "lab", "tomcat2", { listedAfter: Date.now(), waitForScan: true });
      const counted = new Set([...routed, ...onlyElsewhereOnTomcat3]).size;
      expect(r.perStore.find((s) => s.store === STORE)).toMatchObject({
        total: counted,
        safe: counted - onlyElsewhereOnTomcat3.length,
        error: null,
      });
      expect(
        r.unsafe
          .filter((u) => u.store === STORE)
          .map((u) => u.sessionId)
          .sort(),
      ).toEqual([...onlyElsewhereOnTomcat3].sort());
      expect(r.verdict).toBe("unsafe");
      expect(r.summary).toContain("copies on tomcat3, out of rotation, do not count");
    } finally {
      await applyMemberChange(lab.db, "lab", "tomcat3", { kind: "state", state: "active" }, { ...who, force: true });
    }
  });

  it("stopping the primary's member under users loses no session and no request; the survivors hold every session", async () => {
    traffic.handle = startTraffic({ users: 24, ratePerSec: 40, durationMs: 600_000, targets });
    await vi.waitFor(() => expect(traffic.handle!.snapshot().users.every((u) => u.requests >= 3)).toBe(true), {
      timeout: 30_000,
      interval: 200,
    });
    const before = lastIds(traffic.handle.snapshot());
    expect(before.some((id) => routeOfSessionId(id) === "tomcat2")).toBe(true);
    const stopped = await applyMemberChange(lab.db, "lab", "tomcat2", { kind: "state", state: "stopped" }, who);
    expect(stopped.overall).toBe("done");
    await labCommand("stop-member", "tomcat2");
    // Every user makes a few more requests with tomcat2 gone.
    const at = new Map(traffic.handle!.snapshot().users.map((u) => [u.user, u.requests]));
    await vi.waitFor(
      () => expect(traffic.handle!.snapshot().users.every((u) => u.requests >= at.get(u.user)! + 5)).toBe(true),
      { timeout: 60_000, interval: 200 },
    );
    const report = await traffic.handle!.stop();
    traffic.handle = null;
    expectNoUserHarm(report);
    // BackupManager renames nothing: the ids are the same, now served by tomcat1 and tomcat3.
    const ids = lastIds(report);
    expect(ids.sort()).toEqual([...before].sort());
    expect(report.users.filter((u) => routeOfSessionId(u.sessionIds[0]!) === "tomcat2").length).toBeGreaterThan(0);
    resetSessionIndexes();
    await sessionScans().awaitScan(lab.db, "lab", Date.now());
    const store = (await summarizeStores(lab.db, "lab", { viewed: true })).find((s) => s.store === STORE)!;
    // The paused users' sessions are still there too: each counted once.
    const all = [...ids, ...idle];
    expect(store.counts).toMatchObject({ total: all.length, perRoute: perRoute(all) });
    // A session used since the stop has its primary on one survivor and its backup on the other (the
    // Tomcat it reached took it over and chose a new backup). An idle one whose backup did not know itself
    // as the only backup stays a lone backup until its user returns (AbstractReplicatedMap.memberDisappeared):
    // held once, so "safe to stop" that Tomcat is unsafe for exactly those.
    const held = await holders(all);
    const active = new Set(ids);
    const lone = new Map<string, string[]>();
    for (const h of held) {
      const nodes = [...new Set(h.copies.map(([node]) => node))].sort();
      if (active.has(h.id)) expect(nodes, h.id).toEqual(["tomcat1", "tomcat3"]);
      else expect(nodes.length, h.id).toBeGreaterThan(0);
      if (nodes.length === 1) lone.set(nodes[0]!, [...(lone.get(nodes[0]!) ?? []), h.id]);
    }
    for (const survivor of ["tomcat1", "tomcat3"]) {
      const r = await checkSafeToStop(lab.db, "lab", survivor, { listedAfter: Date.now(), waitForScan: true });
      expect(
        r.unsafe
          .filter((u) => u.store === STORE)
          .map((u) => u.sessionId)
          .sort(),
        survivor,
      ).toEqual([...(lone.get(survivor) ?? [])].sort());
    }
  }, 180_000);
});
