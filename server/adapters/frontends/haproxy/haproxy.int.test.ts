/**
 * The haproxy adapter against the lab's real HAProxy 2.6 (frontend C, lab.sh up): every supported
 * verb through the adapter and through applyMemberChange, traffic through HAProxy while a member is
 * drained and then stopped, and drift after a reload (-sf) that forgets runtime changes.
 * Every check of state asks HAProxy's runtime API directly over a raw socket (not through the adapter's
 * transport or parser). Every test puts the servers back to ready + weight 1 the same raw way.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { startTraffic, sendNewSessionRequests, type TUserReport } from "@/e2e/lab/traffic";
import { getFrontendAdapter } from "@/server/adapters/registry";
import { readBalancer, toTarget, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { reapplyMember } from "@/server/services/members/drift";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import { Poller } from "@/server/poller/poller";
import type { TAdminState } from "@/server/domain/member-state";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const API = labValue(env, "LAB_HAPROXY_API");
const BACKEND = labValue(env, "LAB_HAPROXY_BACKEND");
const COUNTER_URL = `${labValue(env, "LAB_FRONTEND_C_URL")}/counter`;
const ROUTES = ["tomcat1", "tomcat2", "tomcat3"] as const;
const row: TFrontendRow = {
  kind: "haproxy",
  url: API,
  balancer: BACKEND,
  username: null,
  password: null,
  timeoutMs: 3000,
};
const haproxy = getFrontendAdapter("haproxy");
const who = { principal: null, actor: "integration-test", ip: null };

// ---- the runtime API, raw ----------------------------------------------------------------------

function rawApi(command: string): Promise<string> {
  const [, host, port] = /^tcp:\/\/([^:]+):(\d+)$/.exec(API) ?? [];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) }, () => socket.write(`${command}\n`));
    let out = "";
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer to ${command}`)));
    socket.on("data", (d: Buffer) => (out += d.toString()));
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

/** One server's line of `show servers state`: op state, admin bits, user weight. */
async function rawServer(name: string): Promise<{ op: number; admin: number; weight: number }> {
  const text = await rawApi(`show servers state ${BACKEND}`);
  const line = text.split("\n").find((l) => l.split(" ")[3] === name);
  if (!line) throw new Error(`show servers state lists no ${name}: ${text}`);
  const f = line.split(" ");
  return { op: Number(f[5]), admin: Number(f[6]), weight: Number(f[7]) };
}

/** One server's cumulative sessions (stot) from `show stat` CSV, by its header. */
async function rawTotalSessions(name: string): Promise<number> {
  const lines = (await rawApi(`show stat ${BACKEND} 4 -1`)).split("\n");
  const header = lines[0]!.slice(2).split(",");
  const cells = lines.find((l) => l.split(",")[1] === name)!.split(",");
  return Number(cells[header.indexOf("stot")]);
}

async function rawSet(name: string, change: string): Promise<void> {
  expect((await rawApi(`set server ${BACKEND}/${name} ${change}`)).trim()).toBe("");
}

async function restoreLab(): Promise<void> {
  for (const r of ROUTES) {
    await rawSet(r, "state ready");
    await rawSet(r, "weight 1");
  }
}

const ACTIVE = 0;
const MAINT = 0x01;
const DRAIN = 0x08;

async function memberKey(route: string) {
  const balancer = await readBalancer(row);
  const member = balancer.members.find((m) => m.route === route);
  if (!member) throw new Error(`HAProxy has no server with route ${route}`);
  return { balancer, key: member.key };
}

async function waitUntilAllRunning(): Promise<void> {
  await vi.waitFor(
    async () => {
      for (const r of ROUTES) expect(await rawServer(r), `${r} is not UP in HAProxy`).toMatchObject({ op: 2 });
    },
    { timeout: 60_000, interval: 500 },
  );
}

beforeAll(async () => {
  await restoreLab();
  await waitUntilAllRunning();
}, 90_000);
afterAll(async () => {
  await restoreLab();
  for (const r of ROUTES) expect(await rawServer(r)).toMatchObject({ admin: ACTIVE, weight: 1 });
});

describe("haproxy adapter against the lab HAProxy", () => {
  afterEach(restoreLab);

  // Each case starts from another admin state, so the result also shows the previous one is cleared.
  const CASES: [state: TAdminState, start: string, admin: number][] = [
    ["draining", "state maint", DRAIN],
    ["disabled", "state drain", MAINT],
    ["stopped", "state drain", MAINT],
    ["active", "state maint", ACTIVE],
  ];
  it.each(CASES)("%s from [%s] leaves admin bits %s", async (state, start, admin) => {
    await rawSet("tomcat3", start);
    expect((await rawServer("tomcat3")).admin).not.toBe(admin);

    const { balancer, key } = await memberKey("tomcat3");
    await haproxy.setAdminState(toTarget(row), balancer, key, state);

    expect(await rawServer("tomcat3")).toMatchObject({ admin, weight: 1 });
    for (const other of ["tomcat1", "tomcat2"]) expect((await rawServer(other)).admin).toBe(ACTIVE);
    expect((await readBalancer(row)).members.find((m) => m.route === "tomcat3")?.adminState).toBe(
      haproxy.observedStateFor(state),
    );
  });

  it.each([
    [3, 3],
    [256, 256],
    [1, 1],
  ])("setWeight(%s) reads back as srv_uweight %s", async (weight, expected) => {
    await rawSet("tomcat3", weight === 1 ? "weight 4" : "weight 1");
    const { balancer, key } = await memberKey("tomcat3");
    await haproxy.setWeight(toTarget(row), balancer, key, weight);
    expect(await rawServer("tomcat3")).toMatchObject({ admin: ACTIVE, weight: expected });
    for (const other of ["tomcat1", "tomcat2"]) expect((await rawServer(other)).weight).toBe(1);
  });

  it("refuses bad input before the socket, and reports HAProxy's own refusal; nothing changes", async () => {
    const { balancer, key } = await memberKey("tomcat3");
    const target = toTarget(row);
    await expect(haproxy.setWeight(target, balancer, key, 0)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("drain it"),
    });
    await expect(haproxy.setWeight(target, balancer, key, 2.5)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(haproxy.setAdminState(target, balancer, key, "standby")).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("backup"),
    });
    // ";" would make HAProxy run a second command.
    await expect(
      haproxy.setAdminState(target, balancer, `${key}; set server ${BACKEND}/tomcat1 state maint`, "draining"),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(haproxy.setAdminState(target, balancer, "tomcat9", "draining")).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      message: `HAProxy refused "set server ${BACKEND}/tomcat9 state drain": No such server.`,
    });
    await expect(haproxy.setWeight(target, { ...balancer, name: "nope" }, key, 2)).rejects.toMatchObject({
      message: expect.stringContaining("No such backend."),
    });
    for (const r of ROUTES) expect(await rawServer(r)).toMatchObject({ admin: ACTIVE, weight: 1 });
  });

  it("a killed Tomcat: HAProxy's checks mark it DOWN (failing, still active), and UP again once it is back", async () => {
    try {
      await labCommand("kill-member", "tomcat3");
      // No traffic needed: HAProxy's own health checks (every second, fall 2) find it.
      await vi.waitFor(async () => expect(await rawServer("tomcat3")).toMatchObject({ op: 0, admin: ACTIVE }), {
        timeout: 15_000,
        interval: 250,
      });
      const tomcat3 = (await readBalancer(row)).members.find((m) => m.route === "tomcat3");
      expect([tomcat3?.adminState, tomcat3?.health, tomcat3?.raw.status]).toEqual(["active", "failing", "DOWN"]);
      for (const r of ["tomcat1", "tomcat2"])
        expect((await readBalancer(row)).members.find((m) => m.route === r)?.health).toBe("healthy");
    } finally {
      await labCommand("start-member", "tomcat3");
    }
    await waitUntilAllRunning();
    expect((await readBalancer(row)).members.find((m) => m.route === "tomcat3")).toMatchObject({
      adminState: "active",
      health: "healthy",
    });
  }, 180_000);

  it("an unknown backend fails the poll with HAProxy's words", async () => {
    const target = toTarget({ ...row, balancer: "nope" });
    const text = await haproxy.fetchStatusText(target);
    expect(() => haproxy.parseStatus(text)).toThrow("No such proxy. / Can't find backend.");
  });
});

describe("member actions and drift through HAProxy (service level)", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let inventoryDir: string;

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    // A cluster with HAProxy as its only frontend: these tests are about this kind alone.
    inventoryDir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-haproxy-"));
    const members = ROUTES.map(
      (r, i) =>
        `      - { name: ${r}, route: ${r}, host: 127.0.0.1, httpPort: ${labValue(env, `LAB_TOMCAT${i + 1}_HTTP_PORT`)} }`,
    ).join("\n");
    const file = path.join(inventoryDir, "haproxy.yaml");
    fs.writeFileSync(
      file,
      `clusters:\n  - name: hap\n    members:\n${members}\n    frontends:\n      - { name: haproxy, kind: haproxy, url: "${API}", balancer: ${BACKEND}, pollIntervalMs: 1000 }\n`,
    );
    await importInventoryFile(db, file);
  }, 60_000);
  afterAll(async () => {
    for (const r of ROUTES) await applyMemberChange(db, "hap", r, { kind: "state", state: "active" }, who);
    await cleanup();
    fs.rmSync(inventoryDir, { recursive: true, force: true });
  }, 60_000);
  afterEach(restoreLab);

  it("every verb through applyMemberChange, verified on the socket and audited", async () => {
    const steps: [TAdminState, number][] = [
      ["draining", DRAIN],
      ["stopped", MAINT],
      ["disabled", MAINT],
      ["active", ACTIVE],
    ];
    for (const [state, admin] of steps) {
      const r = await applyMemberChange(db, "hap", "tomcat3", { kind: "state", state }, who);
      expect([r.overall, r.frontends.map((f) => [f.frontend, f.outcome])]).toEqual(["done", [["haproxy", "done"]]]);
      expect((await rawServer("tomcat3")).admin).toBe(admin);
    }
    expect((await applyMemberChange(db, "hap", "tomcat3", { kind: "weight", weight: 4 }, who)).overall).toBe("done");
    expect((await rawServer("tomcat3")).weight).toBe(4);
    expect((await applyMemberChange(db, "hap", "tomcat3", { kind: "weight", weight: 1 }, who)).overall).toBe("done");
    expect((await rawServer("tomcat3")).weight).toBe(1);
    await db.member.updateMany({ where: { name: "tomcat3" }, data: { intendedWeight: null } });

    // standby is not among this kind's capabilities: reported unsupported with the reason, nothing sent.
    const standby = await applyMemberChange(db, "hap", "tomcat3", { kind: "state", state: "standby" }, who);
    expect(standby.overall).toBe("failed");
    expect(standby.frontends.map((f) => [f.outcome, f.message])).toEqual([
      ["unsupported", expect.stringContaining("standby")],
    ]);
    expect((await rawServer("tomcat3")).admin).toBe(ACTIVE);
    await applyMemberChange(db, "hap", "tomcat3", { kind: "state", state: "active" }, who);

    const audit = await db.auditEntry.findMany({ where: { target: "tomcat3" }, orderBy: { id: "asc" } });
    expect(audit.slice(0, 4).map((a) => [a.action, a.result])).toEqual([
      ["member.drain", "ok"],
      ["member.stop", "ok"],
      ["member.disable", "ok"],
      ["member.enable", "ok"],
    ]);
  }, 60_000);

  it("with users running through HAProxy, draining then stopping tomcat2 loses no request and no session", async () => {
    const traffic = startTraffic({ users: 12, ratePerSec: 24, durationMs: 120_000, targets: [COUNTER_URL] });
    try {
      const current = (u: TUserReport) => u.nodesSeen[u.nodesSeen.length - 1];
      await vi.waitFor(() => expect(traffic.snapshot().users.every((u) => u.requests >= 2)).toBe(true), {
        timeout: 30_000,
        interval: 200,
      });
      const stuck = traffic.snapshot().users.filter((u) => current(u) === "tomcat2");
      // Precondition, not luck: roundrobin spreads 12 new sessions over 3 servers.
      expect(stuck.length, "no simulated user landed on tomcat2").toBeGreaterThan(0);

      expect((await applyMemberChange(db, "hap", "tomcat2", { kind: "state", state: "draining" }, who)).overall).toBe(
        "done",
      );
      expect((await rawServer("tomcat2")).admin).toBe(DRAIN);
      const before = new Map(stuck.map((u) => [u.user, u.requests]));
      await vi.waitFor(
        () =>
          expect(
            traffic
              .snapshot()
              .users.filter((u) => before.has(u.user))
              .every((u) => u.requests >= before.get(u.user)! + 5),
          ).toBe(true),
        { timeout: 30_000, interval: 200 },
      );
      for (const u of traffic.snapshot().users.filter((x) => before.has(x.user))) {
        expect(
          current(u),
          `user ${u.user} left tomcat2 while it was only draining (HAProxy drain keeps sticky requests)`,
        ).toBe("tomcat2");
      }
      // New sessions never go to a drained server.
      const nodes: string[] = [];
      for (let i = 0; i < 12; i++) nodes.push(((await (await fetch(COUNTER_URL)).json()) as { node: string }).node);
      expect(nodes).not.toContain("tomcat2");

      expect((await applyMemberChange(db, "hap", "tomcat2", { kind: "state", state: "stopped" }, who)).overall).toBe(
        "done",
      );
      expect((await rawServer("tomcat2")).admin).toBe(MAINT);
      const atStop = new Map(
        traffic
          .snapshot()
          .users.filter((u) => before.has(u.user))
          .map((u) => [u.user, u.requests]),
      );
      const sessionsAtStop = await rawTotalSessions("tomcat2");
      await vi.waitFor(
        () =>
          expect(
            traffic
              .snapshot()
              .users.filter((u) => atStop.has(u.user))
              .every((u) => u.requests >= atStop.get(u.user)! + 5),
          ).toBe(true),
        { timeout: 30_000, interval: 200 },
      );
      for (const u of traffic.snapshot().users.filter((x) => atStop.has(x.user)))
        expect(current(u)).not.toBe("tomcat2");
      // MAINT: HAProxy sends tomcat2 nothing at all (health checks are not sessions).
      expect(await rawTotalSessions("tomcat2")).toBe(sessionsAtStop);

      const report = await traffic.stop();
      expect(report.totals).toMatchObject({ failures: 0, sessionLost: 0, counterViolations: 0 });
      expect(report.totals.requests).toBeGreaterThan(100);
    } finally {
      await traffic.stop();
    }
    expect((await applyMemberChange(db, "hap", "tomcat2", { kind: "state", state: "active" }, who)).overall).toBe(
      "done",
    );
    expect((await rawServer("tomcat2")).admin).toBe(ACTIVE);
  }, 150_000);

  it("a reload (-sf) forgets a drain: the view shows drift, re-apply puts it back", async () => {
    const poller = new Poller(db, 2);
    await poller.start();
    const tomcat1 = async () => (await getClusterView(db, "hap")).members.find((m) => m.name === "tomcat1")!;
    try {
      expect((await applyMemberChange(db, "hap", "tomcat1", { kind: "state", state: "draining" }, who)).overall).toBe(
        "done",
      );
      await vi.waitFor(async () => expect((await tomcat1()).states[0]?.adminState).toBe("draining"), {
        timeout: 5_000,
        interval: 200,
      });
      expect((await tomcat1()).drift).toBe(false);

      await labCommand("restart-frontend", "c");
      expect((await rawServer("tomcat1")).admin).toBe(ACTIVE);
      await vi.waitFor(async () => expect((await tomcat1()).drift).toBe(true), { timeout: 10_000, interval: 200 });
      expect((await tomcat1()).states[0]).toMatchObject({ adminState: "active", drifted: true });

      const [fix] = await reapplyMember(db, "hap", "tomcat1", who);
      expect(fix!.overall).toBe("done");
      expect((await rawServer("tomcat1")).admin).toBe(DRAIN);
      await vi.waitFor(async () => expect((await tomcat1()).drift).toBe(false), { timeout: 5_000, interval: 200 });
      expect(await db.auditEntry.findFirst({ where: { action: "member.reapply", target: "tomcat1" } })).not.toBeNull();
    } finally {
      poller.stop();
    }
    expect((await applyMemberChange(db, "hap", "tomcat1", { kind: "state", state: "active" }, who)).overall).toBe(
      "done",
    );
    // The reloaded HAProxy starts its checks over: wait until every server is UP again for the next user.
    await waitUntilAllRunning();
    await sendNewSessionRequests(COUNTER_URL, 3);
  }, 90_000);
});
