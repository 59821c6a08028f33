/**
 * JvmRouteBinderValve in the lab (/rebind on the three Tomcats: DeltaManager plus the valve, behind all
 * four frontends): when tomcat2 stops, the Tomcat that takes a user over renames the session to its own
 * route (`ID.tomcat2` → `ID.tomcat1`) and sends the new cookie. The console must count each renamed
 * session once, under its new member, and the re-homing view must name every renamed user.
 * Start the lab first: bash e2e/lab/lab.sh up
 */
import { describe, expect, it } from "vitest";
import { routeOfSessionId } from "@/server/domain/session-id";
import { rehomingStatus } from "@/server/services/sessions/rehoming";
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

const env = loadLabEnv();
const CONTEXT = labValue(env, "LAB_REBIND_PATH");
const STORE = "rebind-replicas";
// Through the route-aware frontends only (not nginx's cookie hash): see routeAwareTargets.
const targets = routeAwareTargets(env, CONTEXT);

describe("JvmRouteBinderValve (/rebind): sessions renamed on failover", () => {
  const lab = useLabCluster(env, { context: CONTEXT });

  it("stop tomcat2 under users: no failed request, no lost session; each renamed session counted once under its new member; re-homing names every renamed user", async () => {
    const report = await stopMemberUnderUsers(lab.db, targets, "tomcat2");
    expectNoUserHarm(report);
    // tomcat2's users: their session went on under a new id, same base id, another route.
    const tomcat2Users = expectRenamedOnce(report, "tomcat2");
    expect(report.totals.sessionIdChanges).toBe(tomcat2Users.length);

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
