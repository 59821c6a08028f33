/**
 * Member actions through the service against the lab's real frontends (balancer-manager, jkstatus, HAProxy,
 * nginx), with the traffic generator's users running, and drift after an httpd graceful restart.
 * The service reads every frontend back; the raw checks here ask balancer-manager and jkstatus directly
 * (HAProxy's and nginx's own documents are checked in their adapters' integration tests).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { expectedAdminState, labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { startTraffic, type TTrafficHandle, type TUserReport } from "@/e2e/lab/traffic";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { reapplyMember, startAutoReapply } from "@/server/services/members/drift";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import { Poller } from "@/server/poller/poller";
import { listenEvents } from "@/server/poller/event-bus";
import { getFrontendLive } from "@/server/poller/live-state";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
const who = { principal: null, actor: "integration-test", ip: null };

/** tomcatN's <httpd:status> and jkstatus activation, read raw. */
async function rawStates(
  route: string,
): Promise<{ apache: string; jk: string; apacheElected: number; jkElected: number }> {
  const bm = await (
    await fetch(`${labValue(env, "LAB_BALANCER_MANAGER_URL")}?xml=1`, {
      headers: { Referer: labValue(env, "LAB_BALANCER_MANAGER_URL") },
    })
  ).text();
  const worker = bm.split("<httpd:worker>").find((w) => w.includes(`<httpd:route>${route}</httpd:route>`)) ?? "";
  const jk = await (await fetch(`${labValue(env, "LAB_JKSTATUS_URL")}?cmd=show&w=lb&mime=xml`)).text();
  const member = jk.split("<jk:member").find((m) => m.includes(`name="${route}"`)) ?? "";
  return {
    apache: /<httpd:status>([^<]*)<\/httpd:status>/.exec(worker)?.[1] ?? "?",
    apacheElected: Number(/<httpd:elected>(\d+)</.exec(worker)?.[1]),
    jk: /activation="(\w+)"/.exec(member)?.[1] ?? "?",
    jkElected: Number(/elected="(\d+)"/.exec(member)?.[1]),
  };
}

/** Cookie-less requests: each is a new session; returns the node that served each one. */
async function newSessionNodes(counterUrl: string, n: number): Promise<string[]> {
  const nodes: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(counterUrl, { signal: AbortSignal.timeout(10_000) });
    nodes.push(((await res.json()) as { node: string }).node);
  }
  return nodes;
}

const currentNode = (u: TUserReport) => u.nodesSeen[u.nodesSeen.length - 1];

/** Resolves after `n` answered polls of a frontend that started after this call (bounded). */
async function waitForPolls(frontendId: number, n: number, timeoutMs = 30_000): Promise<void> {
  const since = Date.now();
  const stop = AbortSignal.timeout(timeoutMs);
  let seen = 0;
  for await (const ev of listenEvents("frontend-polled", stop)) {
    const started =
      (getFrontendLive(ev.frontendId)?.lastPollAt?.getTime() ?? 0) - (getFrontendLive(ev.frontendId)?.durationMs ?? 0);
    if (ev.frontendId === frontendId && ev.up && started >= since && ++seen >= n) return;
  }
  throw new Error(`fewer than ${n} answered polls of frontend ${frontendId} within ${timeoutMs} ms`);
}

describe("member actions on every frontend, with users on the lab", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let traffic: TTrafficHandle | undefined;

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await waitUntilHealthy(FRONTENDS);
  }, 180_000);
  afterAll(async () => {
    await traffic?.stop();
    await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "active" }, who);
    await applyMemberChange(db, "lab", "tomcat1", { kind: "state", state: "active" }, who);
    await cleanup();
  }, 60_000);

  it("drain keeps stuck users on tomcat2 and sends it no new session; stop moves them elsewhere with no failure", async () => {
    traffic = startTraffic({ users: 24, ratePerSec: 48, durationMs: 150_000, targets: FRONTENDS.map((f) => f.appUrl) });
    await vi.waitFor(() => expect(traffic!.snapshot().users.every((u) => u.requests >= 2)).toBe(true), {
      timeout: 30_000,
      interval: 200,
    });
    const stuck = traffic.snapshot().users.filter((u) => currentNode(u) === "tomcat2");
    // Precondition, not luck: 24 new users spread over 3 members by every frontend's balancing.
    expect(stuck.length, "no simulated user landed on tomcat2; the scenario needs some").toBeGreaterThan(0);

    const drained = await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "draining" }, who);
    expect(drained.overall).toBe("done");
    // A kind without a drain (nginx) reports "unsupported" and keeps the member in rotation; the others drain.
    const canDrain = FRONTENDS.filter((f) => expectedAdminState(f, "draining") === "draining");
    expect(drained.frontends.map((f) => [f.frontend, f.outcome])).toEqual(
      FRONTENDS.map((f) => [f.name, canDrain.includes(f) ? "done" : "unsupported"]),
    );
    expect(await rawStates("tomcat2")).toMatchObject({ apache: "Init Drn Ok ", jk: "DIS" });

    // Stuck users: at least 5 more requests each, all still on tomcat2.
    const before = new Map(stuck.map((u) => [u.user, u.requests]));
    await vi.waitFor(
      () =>
        expect(
          traffic!
            .snapshot()
            .users.filter((u) => before.has(u.user))
            .every((u) => u.requests >= before.get(u.user)! + 5),
        ).toBe(true),
      { timeout: 30_000, interval: 200 },
    );
    for (const u of traffic.snapshot().users.filter((x) => before.has(x.user))) {
      expect(currentNode(u), `user ${u.user} left tomcat2 while it was only draining`).toBe("tomcat2");
      expect(u.failures).toBe(0);
    }
    // New sessions: none lands on tomcat2, through every frontend that drains.
    for (const f of canDrain) expect(await newSessionNodes(f.appUrl, 15)).not.toContain("tomcat2");

    const stopped = await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "stopped" }, who);
    expect(stopped.overall).toBe("done");
    expect(await rawStates("tomcat2")).toMatchObject({ apache: "Init Stop ", jk: "STP" });
    const electedAtStop = await rawStates("tomcat2");
    const atStop = new Map(
      traffic
        .snapshot()
        .users.filter((u) => before.has(u.user))
        .map((u) => [u.user, u.requests]),
    );
    await vi.waitFor(
      () =>
        expect(
          traffic!
            .snapshot()
            .users.filter((u) => atStop.has(u.user))
            .every((u) => u.requests >= atStop.get(u.user)! + 5),
        ).toBe(true),
      { timeout: 30_000, interval: 200 },
    );
    for (const u of traffic.snapshot().users.filter((x) => atStop.has(x.user))) {
      expect(currentNode(u), `user ${u.user} still served by a stopped tomcat2`).not.toBe("tomcat2");
    }
    // tomcat2 got no request at all while stopped (not even failed attempts).
    const after = await rawStates("tomcat2");
    expect(after.apacheElected).toBe(electedAtStop.apacheElected);
    expect(after.jkElected).toBe(electedAtStop.jkElected);

    const report = await traffic.stop();
    traffic = undefined;
    // Back in rotation before judging the run, so a failure here does not leave the next test a stopped member.
    const enabled = await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "active" }, who);
    // Their counters kept increasing on the other members (DeltaManager replicas), and nothing failed.
    const why = report.users.flatMap((u) =>
      [...u.failureMessages, ...u.violationMessages].map(
        (m) => `user ${u.user} via ${u.target} (${u.nodesSeen.join(">")}): ${m}`,
      ),
    );
    expect(report.totals, why.slice(0, 20).join("\n")).toMatchObject({
      failures: 0,
      sessionLost: 0,
      counterViolations: 0,
    });
    for (const u of report.users.filter((x) => before.has(x.user))) expect(u.counterMonotonic).toBe(true);

    expect(enabled.overall).toBe("done");
    expect(await rawStates("tomcat2")).toMatchObject({ apache: "Init Ok ", jk: "ACT" });
    const audit = await db.auditEntry.findMany({ where: { target: "tomcat2" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.result])).toEqual([
      ["member.drain", "ok"],
      ["member.stop", "ok"],
      ["member.enable", "ok"],
    ]);
  }, 180_000);

  it("weights apply on every frontend; balancer-manager and jkstatus show them in their own documents", async () => {
    const r = await applyMemberChange(db, "lab", "tomcat3", { kind: "weight", weight: 4 }, who);
    expect(r.overall).toBe("done");
    const bm = await (
      await fetch(`${labValue(env, "LAB_BALANCER_MANAGER_URL")}?xml=1`, {
        headers: { Referer: labValue(env, "LAB_BALANCER_MANAGER_URL") },
      })
    ).text();
    expect(bm.split("<httpd:worker>").find((w) => w.includes("<httpd:route>tomcat3</httpd:route>"))).toContain(
      "<httpd:loadfactor>4.00</httpd:loadfactor>",
    );
    const jk = await (await fetch(`${labValue(env, "LAB_JKSTATUS_URL")}?cmd=show&w=lb&sw=tomcat3&mime=xml`)).text();
    expect(jk).toContain('lbfactor="4"');
    expect((await applyMemberChange(db, "lab", "tomcat3", { kind: "weight", weight: 1 }, who)).overall).toBe("done");
    await db.member.updateMany({ where: { name: "tomcat3" }, data: { intendedWeight: null } });
  });

  it("refuses, unless forced, to leave the cluster with no active member, and changes nothing", async () => {
    await applyMemberChange(db, "lab", "tomcat1", { kind: "state", state: "draining" }, who);
    await applyMemberChange(db, "lab", "tomcat3", { kind: "state", state: "draining" }, who);
    await expect(
      applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "draining" }, who),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await rawStates("tomcat2")).apache).toBe("Init Ok ");
    expect((await db.member.findFirstOrThrow({ where: { name: "tomcat2" } })).intendedState).toBe("active");
    expect(await db.auditEntry.findFirst({ where: { target: "tomcat2", result: "denied" } })).not.toBeNull();
    for (const m of ["tomcat1", "tomcat3"])
      await applyMemberChange(db, "lab", m, { kind: "state", state: "active" }, who);
  });

  it("drift after a graceful httpd restart shows within two polls; re-apply fixes it; auto re-apply too", async () => {
    const POLL_MS = 1000;
    await db.frontend.updateMany({ data: { pollIntervalMs: POLL_MS } });
    const poller = new Poller(db, 4);
    await poller.start();
    const auto = new AbortController();
    try {
      expect((await applyMemberChange(db, "lab", "tomcat1", { kind: "state", state: "draining" }, who)).overall).toBe(
        "done",
      );
      await vi.waitFor(
        async () =>
          expect(
            (await getClusterView(db, "lab")).members.find((m) => m.name === "tomcat1")!.states[0]?.adminState,
          ).toBe("draining"),
        { timeout: 5_000 },
      );

      await labCommand("restart-frontend", "a"); // BalancerPersist Off: httpd forgets the drain
      expect((await rawStates("tomcat1")).apache).toBe("Init Ok ");
      // "Within two polls" counted in polls, not seconds: after at most two answered polls of
      // frontend A that started after the restart, the view shows the drift.
      const apacheId = (await db.frontend.findFirstOrThrow({ where: { name: "apache-balancer" } })).id;
      await waitForPolls(apacheId, 2);
      const row = (await getClusterView(db, "lab")).members.find((m) => m.name === "tomcat1")!;
      expect(row.drift).toBe(true);
      expect(row.states.map((s) => s?.drifted)).toEqual(FRONTENDS.map((f) => f.name === "apache-balancer"));

      const [fix] = await reapplyMember(db, "lab", "tomcat1", who);
      expect(fix!.overall).toBe("done");
      expect(fix!.frontends.map((f) => f.frontend)).toEqual(["apache-balancer"]); // only where it drifted
      expect((await rawStates("tomcat1")).apache).toBe("Init Drn Ok ");
      await vi.waitFor(
        async () =>
          expect((await getClusterView(db, "lab")).members.find((m) => m.name === "tomcat1")!.drift).toBe(false),
        { timeout: 3 * POLL_MS },
      );

      // Automatic re-apply: the same restart, and nobody presses anything.
      await db.cluster.update({ where: { name: "lab" }, data: { autoReapply: true } });
      startAutoReapply(db, auto.signal);
      await labCommand("restart-frontend", "a");
      await vi.waitFor(async () => expect((await rawStates("tomcat1")).apache).toBe("Init Drn Ok "), {
        timeout: 10_000,
        interval: 200,
      });
      expect(
        await db.auditEntry.findFirst({ where: { action: "member.reapply", actor: { startsWith: "system" } } }),
      ).not.toBeNull();
    } finally {
      auto.abort();
      poller.stop();
      await db.cluster.update({ where: { name: "lab" }, data: { autoReapply: false } });
    }
  }, 120_000);
});
