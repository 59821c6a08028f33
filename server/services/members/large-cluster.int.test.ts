/**
 * A 1,000-member cluster behind four frontends of three kinds, served by the synthetic frontends
 * (test-support/synthetic-frontend: in-process, shaped like the lab's captures) and polled by the real
 * poller through the real adapters. Scale only: the same paths are tested against the lab's real servers
 * in member-actions.int.test.ts and the e2e specs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { SETUP, testContext } from "@/test-support/test-context";
import { startSyntheticFrontend, type TSyntheticFrontend } from "@/test-support/synthetic-frontend/server";
import { syntheticInventoryYaml, syntheticMembers } from "@/test-support/synthetic-frontend/members";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { Poller } from "@/server/poller/poller";
import { getFrontendLive } from "@/server/poller/live-state";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import { readBalancer } from "@/server/services/frontends/read-frontend";
import { createCaller } from "@/server/api/root";
import type { TAdminState, THealth } from "@/server/domain/member-state";
import type { PrismaClient } from "@/generated/prisma/client";

const MEMBERS = syntheticMembers(1000);
const KINDS = ["apache-balancer", "mod-jk", "haproxy", "apache-balancer"] as const;

let db: PrismaClient;
let cleanup: () => Promise<void>;
let poller: Poller;
const frontends: TSyntheticFrontend[] = [];

/** Until every frontend has been polled by a poll that started after `t` (so it saw what changed before). */
async function pollsAfter(t: number): Promise<void> {
  const rows = await db.frontend.findMany();
  await vi.waitFor(
    () => {
      for (const f of rows) {
        const live = getFrontendLive(f.id);
        expect((live?.lastPollAt?.getTime() ?? 0) - (live?.durationMs ?? 0)).toBeGreaterThan(t);
      }
    },
    { timeout: 20_000, interval: 100 },
  );
}

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  for (const [i, kind] of KINDS.entries())
    frontends.push(await startSyntheticFrontend(kind, `f${i + 1}-${kind}`, MEMBERS));
  await importInventory(
    db,
    parseInventoryYaml(
      syntheticInventoryYaml(
        "big",
        MEMBERS,
        // The synthetic servers share this process's event loop with the poller and the actions: a
        // generous timeout keeps a busy test machine from turning a slow answer into a failed poll.
        frontends.map((f) => ({ ...f, pollIntervalMs: 1000, timeoutMs: 10_000 })),
      ),
    ),
    SETUP,
  );
  poller = new Poller(db, 8);
  await poller.start();
  await pollsAfter(Date.now());
});

afterAll(async () => {
  poller?.stop();
  for (const f of frontends) await f.close();
  await cleanup();
});

describe("1,000 members behind 4 synthetic frontends (balancer-manager, jkstatus, HAProxy)", () => {
  it("shows all 4,000 member states right after flips on each kind", async () => {
    // What each frontend is told behind the console's back, and how the console must then show it.
    const flips: Array<[number, string, { adminState?: TAdminState; failing?: boolean }, TAdminState, THealth]> = [
      [0, "m0010", { adminState: "draining" }, "draining", "healthy"],
      [0, "m0011", { failing: true }, "active", "failing"],
      [1, "m0020", { adminState: "stopped" }, "stopped", "healthy"],
      [1, "m0021", { failing: true }, "active", "failing"],
      [2, "m0030", { adminState: "draining" }, "draining", "healthy"],
      [2, "m0031", { failing: true }, "active", "failing"],
      [3, "m0040", { adminState: "disabled" }, "disabled", "healthy"],
      [3, "m0999", { adminState: "standby" }, "standby", "healthy"],
    ];
    const t = Date.now();
    for (const [f, member, flip] of flips) frontends[f]!.flip(member, flip);
    await pollsAfter(t);

    const view = await getClusterView(db, "big");
    expect(view.members).toHaveLength(1000);
    const order = view.frontends.map((f) => frontends.findIndex((s) => s.name === f.name));
    const expected = new Map(flips.map(([f, m, , a, h]) => [`${m}@${f}`, `${a}/${h}`]));
    let cells = 0;
    for (const row of view.members) {
      row.states.forEach((s, i) => {
        cells++;
        expect(`${row.name}@${order[i]}: ${s?.adminState}/${s?.health}`).toBe(
          `${row.name}@${order[i]}: ${expected.get(`${row.name}@${order[i]}`) ?? "active/healthy"}`,
        );
      });
    }
    expect(cells).toBe(4000);
    expect(view.members.filter((m) => m.disagreement).map((m) => m.name)).toEqual([
      "m0010",
      "m0011",
      "m0020",
      "m0021",
      "m0030",
      "m0031",
      "m0040",
      "m0999",
    ]);
    // Put them back for the next test.
    for (const [f, member, flip] of flips)
      frontends[f]!.flip(member, {
        ...(flip.adminState ? { adminState: "active" } : {}),
        ...(flip.failing ? { failing: false } : {}),
      });
    await pollsAfter(Date.now());
  });

  it("drains 10 members in one bulk action: applied on every frontend, each read back, one audit entry", async () => {
    const ten = MEMBERS.slice(100, 110).map((m) => m.name);
    const caller = createCaller(testContext(db, "operator"));
    const result = await caller.member.bulk.run({ cluster: "big", verb: "drain", members: ten, force: false });
    expect(
      result.members.flatMap((m) =>
        m.frontends
          .filter((f) => f.outcome !== "done")
          .map((f) => `${m.member}@${f.frontend}: ${f.outcome} ${f.message}`),
      ),
    ).toEqual([]);
    expect(result.overall).toBe("done");
    expect(result.members.map((m) => m.member)).toEqual(ten);
    for (const m of result.members) {
      expect(m.frontends.map((f) => [f.frontend, f.outcome, f.observed?.adminState])).toEqual(
        frontends.map((f) => [f.name, "done", "draining"]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    }
    // Ask the frontends themselves.
    for (const f of frontends) {
      const balancer = await readBalancer({ ...f, username: null, password: null, timeoutMs: 5000 });
      const drained = balancer.members.filter((m) => m.adminState === "draining").map((m) => m.route);
      expect(drained.sort()).toEqual(ten);
    }
    const audit = await db.auditEntry.findMany({ where: { action: "member.bulk.drain" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.result).toBe("ok");
    expect(JSON.parse(audit[0]!.details!).members).toHaveLength(10);

    const enabled = await caller.member.bulk.run({ cluster: "big", verb: "enable", members: ten, force: false });
    expect(enabled.overall).toBe("done");
  });

  it("refuses a selection that would leave a frontend with no active member, unless forced", async () => {
    // On the HAProxy frontend every member but m0001..m0003 is put in maintenance behind the console's back.
    const hap = frontends[2]!;
    const t = Date.now();
    for (const m of MEMBERS.slice(3)) hap.flip(m.name, { adminState: "stopped" });
    await pollsAfter(t);
    const caller = createCaller(testContext(db, "operator"));
    const three = ["m0001", "m0002", "m0003"];
    await expect(
      caller.member.bulk.run({ cluster: "big", verb: "drain", members: three, force: false }),
    ).rejects.toThrow(/f3-haproxy would have no active, healthy member left/);
    const denied = await db.auditEntry.findFirstOrThrow({ where: { action: "member.bulk.drain", result: "denied" } });
    expect(JSON.parse(denied.details!).members).toEqual(three);
    for (const f of frontends) {
      const b = await readBalancer({ ...f, username: null, password: null, timeoutMs: 5000 });
      expect(b.members.filter((m) => three.includes(m.route)).every((m) => m.adminState === "active")).toBe(true);
    }
    // The dialog says so before anything is sent; forced, all three go.
    const impact = await caller.member.bulk.impact({ cluster: "big", verb: "drain", members: three });
    expect(impact.refusal).toMatch(/f3-haproxy/);
    expect(impact.frontends.find((f) => f.frontend === "f3-haproxy")).toMatchObject({
      activeBefore: 3,
      activeAfter: 0,
    });
    const forced = await caller.member.bulk.run({ cluster: "big", verb: "drain", members: three, force: true });
    expect(forced.overall).toBe("done");
    await caller.member.bulk.run({ cluster: "big", verb: "enable", members: three, force: false });
    for (const m of MEMBERS.slice(3)) hap.flip(m.name, { adminState: "active" });
  });
});
