/**
 * JvmRouteBinderValve in the lab (/rebind on the three Tomcats: DeltaManager plus the valve, behind all
 * four frontends): when tomcat2 stops, the Tomcat that takes a user over renames the session to its own
 * route (`ID.tomcat2` → `ID.tomcat1`) and sends the new cookie. The console must count each renamed
 * session once, under its new member, and the re-homing view must name every renamed user.
 * Start the lab first: bash e2e/lab/lab.sh up
 */
import { describe, expect, it, vi } from "vitest";
import { startTraffic } from "@/e2e/lab/traffic";
import { baseOfSessionId, routeOfSessionId } from "@/server/domain/session-id";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { rehomingStatus } from "@/server/services/sessions/rehoming";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labFrontends } from "@/test-support/lab/lab-frontends";
import { expectNoUserHarm, useLabCluster } from "@/test-support/lab/lab-rollout";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
const CONTEXT = labValue(env, "LAB_REBIND_PATH");
const STORE = "rebind-replicas";
// Through the frontends that route by the id's jvmRoute. nginx hashes the whole cookie instead: each rename
// sends the user to another Tomcat, which renames it again (a rename on every request, whatever the test).
const targets = FRONTENDS.filter((f) => f.row.kind !== "nginx").map((f) =>
  f.appUrl.replace(/\/app\/counter$/, `${CONTEXT}/counter`),
);
const who = { principal: null, actor: "integration-test", ip: null };

describe("JvmRouteBinderValve (/rebind): sessions renamed on failover", () => {
  const lab = useLabCluster(env, { context: CONTEXT });

  it("stop tomcat2 under users: no failed request, no lost session; each renamed session counted once under its new member; re-homing names every renamed user", async () => {
    const traffic = startTraffic({ users: 24, ratePerSec: 40, durationMs: 600_000, targets });
    let report;
    try {
      await vi.waitFor(() => expect(traffic.snapshot().users.every((u) => u.requests >= 3)).toBe(true), {
        timeout: 30_000,
        interval: 200,
      });
      // The index as it is before the stop: what the member action remembers of tomcat2's sessions.
      await sessionScans().awaitScan(lab.db, "lab", Date.now());
      const stopped = await applyMemberChange(lab.db, "lab", "tomcat2", { kind: "state", state: "stopped" }, who);
      expect(stopped.overall).toBe("done");
      await labCommand("stop-member", "tomcat2");
      const at = new Map(traffic.snapshot().users.map((u) => [u.user, u.requests]));
      await vi.waitFor(
        () => expect(traffic.snapshot().users.every((u) => u.requests >= at.get(u.user)! + 5)).toBe(true),
        { timeout: 60_000, interval: 200 },
      );
    } finally {
      report = await traffic.stop();
    }
    expectNoUserHarm(report);

    // tomcat2's users: their session went on under a new id, same base id, another route.
    const tomcat2Users = report.users.filter((u) => routeOfSessionId(u.sessionIds[0]!) === "tomcat2");
    expect(tomcat2Users.length).toBeGreaterThan(0);
    for (const u of tomcat2Users) {
      expect(u.sessionIds, `user ${u.user}`).toHaveLength(2);
      const [old, now] = u.sessionIds as [string, string];
      expect(baseOfSessionId(now)).toBe(baseOfSessionId(old));
      expect(["tomcat1", "tomcat3"]).toContain(routeOfSessionId(now));
    }
    expect(report.totals.sessionIdChanges).toBe(tomcat2Users.length);
    for (const u of report.users.filter((x) => !tomcat2Users.includes(x))) expect(u.sessionIds).toHaveLength(1);

    // Counted once each, under the member the new id names: the ground truth is every user's last id.
    const ids = report.users.map((u) => u.sessionIds.at(-1)!);
    const truth: Record<string, number> = {};
    for (const id of ids) truth[routeOfSessionId(id)!] = (truth[routeOfSessionId(id)!] ?? 0) + 1;
    await sessionScans().awaitScan(lab.db, "lab", Date.now());
    const store = (await summarizeStores(lab.db, "lab", { viewed: true })).find((s) => s.store === STORE)!;
    expect(store.counts).toMatchObject({ total: ids.length, perRoute: truth });
    expect(truth.tomcat2).toBeUndefined();

    // Re-homing: no session left under tomcat2's route; every renamed user listed by the new id.
    const rehoming = await rehomingStatus(lab.db, "lab", "tomcat2");
    const rebind = rehoming.stores.find((s) => s.store === STORE)!;
    expect(rebind).toMatchObject({ routed: 0, renamed: tomcat2Users.length, error: null });
    expect([...rebind.renamedIds].sort()).toEqual(tomcat2Users.map((u) => u.sessionIds[1]!).sort());
  }, 240_000);
});
