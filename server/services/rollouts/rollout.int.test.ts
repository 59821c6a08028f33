/**
 * Rolling deploys against the lab: real Tomcat restarts under users, a failing deploy, abort in each
 * phase, and a console killed mid-rollout. Every state check asks the frontends (balancer-manager, jkstatus,
 * HAProxy, nginx) and the Tomcats themselves. Afterwards every member is active at its original weight on
 * every frontend, and
 * each tomcatN/app-version.txt holds what it held before (the app reads it on every request, so putting
 * it back needs no restart; the restarted Tomcats keep running).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { flushLabMemcached } from "@/test-support/lab/lab-stores";
import { expectedAdminState, LAB_ROUTES, labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { startTraffic, type TTrafficHandle } from "@/e2e/lab/traffic";
import {
  expectActiveAtOriginalWeights,
  expectNoUserHarm,
  expectServingVersion,
  labBalancerView,
  readLabVersions,
  restoreLabMembers,
  type TLabBalancerView,
} from "@/test-support/lab/lab-rollout";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { applyMemberChange } from "@/server/services/members/member-actions";
import {
  continueRollout,
  getRollout,
  requestAbort,
  resumeRollout,
  startRollout,
} from "@/server/services/rollouts/service";
import type { TRolloutSettingsInput, TRolloutView } from "@/server/services/rollouts/schema";
import type { TPrincipal } from "@/server/auth/principal";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
const LAB_DIR = labValue(env, "LAB_DIR");
const REPO = path.resolve(import.meta.dirname, "../../..");
const admin: TPrincipal = {
  userId: 1,
  username: "it-admin",
  role: "admin",
  via: "token",
  csrfToken: null,
  tokenId: null,
  tokenName: null,
};
const operator: TPrincipal = { ...admin, username: "it-operator", role: "operator" };
const asAdmin = { principal: admin, ip: null };
async function untilSettled(
  db: PrismaClient,
  id: number,
  timeoutMs: number,
  want: (r: TRolloutView) => boolean = (r) => r.state !== "running",
): Promise<TRolloutView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await getRollout(db, "lab", id);
    if (want(r)) return r;
    if (Date.now() > deadline)
      throw new Error(
        `rollout #${id} still ${r.state} (${r.current?.member} ${r.current?.phase}: ${r.message}) after ${timeoutMs} ms`,
      );
    await new Promise((res) => setTimeout(res, 250));
  }
}

const FAST = { pollMs: 300, health: { path: "/app/health", timeoutSec: 60 } } satisfies Partial<TRolloutSettingsInput>;

describe("rolling deploy over the lab", () => {
  let db: PrismaClient;
  let url: string;
  let cleanup: () => Promise<void>;
  let original: TLabBalancerView | undefined;
  let versions = new Map<string, string>();

  beforeAll(async () => {
    ({ db, url, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await waitUntilHealthy(FRONTENDS);
    // The safe wait judges every session routed to the member; this test's are its users' (in /app).
    await flushLabMemcached(env);
    original = await labBalancerView(FRONTENDS, env);
    versions = readLabVersions(env);
  }, 180_000);

  afterAll(async () => {
    // Whatever a failed test left: back to active at the original weights, and the original versions.
    await db.rollout.updateMany({
      where: { activeCluster: { not: null } },
      data: { activeCluster: null, state: "aborted" },
    });
    if (original) await restoreLabMembers(db, FRONTENDS, original, versions, env);
    await cleanup();
  }, 120_000);

  it("restarts every Tomcat with a new version under users: no failed request, no lost session, all back at their weights", async () => {
    const newVersion = `rollout-${Date.now()}`;
    const traffic: TTrafficHandle = startTraffic({
      users: 24,
      ratePerSec: 40,
      durationMs: 600_000,
      targets: FRONTENDS.map((f) => f.appUrl),
    });
    let finished: TRolloutView;
    try {
      await vi.waitFor(() => expect(traffic.snapshot().users.every((u) => u.requests >= 3)).toBe(true), {
        timeout: 30_000,
        interval: 200,
      });
      const started = await startRollout(
        db,
        "lab",
        {
          ...FAST,
          wait: { strategy: "safe", timeoutSec: 60, onTimeout: "pause" },
          deploy: {
            kind: "command",
            command: `bash e2e/lab/lab.sh stop-member "$CLUSTERDECK_MEMBER" && echo "${newVersion}" > "${LAB_DIR}/$CLUSTERDECK_ROUTE/app-version.txt" && bash e2e/lab/lab.sh start-member "$CLUSTERDECK_MEMBER"`,
            timeoutSec: 180,
          },
          ramp: { percents: [50, 100], stepSec: 3 },
        },
        asAdmin,
      );
      expect(started.members.map((m) => m.member)).toEqual(["tomcat1", "tomcat2", "tomcat3"]);
      finished = await untilSettled(db, started.id, 420_000);
      expect(finished.state, finished.message ?? "").toBe("done");
      // Users keep going on the new version for a few more requests each.
      const at = new Map(traffic.snapshot().users.map((u) => [u.user, u.requests]));
      await vi.waitFor(
        () => expect(traffic.snapshot().users.every((u) => u.requests >= at.get(u.user)! + 3)).toBe(true),
        { timeout: 30_000, interval: 200 },
      );
    } finally {
      expectNoUserHarm(await traffic.stop());
    }
    // Each member: every phase done once, in order; the deploy really restarted it.
    for (const m of ["tomcat1", "tomcat2", "tomcat3"]) {
      const steps = finished.steps.filter((s) => s.member === m);
      expect(steps.map((s) => [s.phase, s.state])).toEqual(
        ["drain", "wait", "stop", "deploy", "health", "ramp"].map((p) => [p, "done"]),
      );
      expect(steps.find((s) => s.phase === "deploy")!.output).toMatch(
        new RegExp(`${m} stopped through its shutdown port[\\s\\S]*${m} up after`),
      );
      expect(finished.members.find((x) => x.member === m)).toMatchObject({ phase: "done", state: "done", progress: 1 });
    }
    expect(finished.progress).toBe(1);
    // Serving the new version, asked directly and through every frontend.
    await expectServingVersion(env, newVersion);
    for (const f of FRONTENDS)
      expect(((await (await fetch(f.appUrl)).json()) as { version: string }).version).toBe(newVersion);
    // Active at the original weight on every frontend; the inventory's intent is as before.
    await expectActiveAtOriginalWeights(FRONTENDS, original!, env);
    const members = await db.member.findMany({ orderBy: { name: "asc" } });
    expect(members.map((m) => [m.name, m.intendedState, m.intendedWeight])).toEqual(
      LAB_ROUTES.map((r) => [r, "active", null]),
    );
    expect(await db.rollout.findUniqueOrThrow({ where: { id: finished.id } })).toMatchObject({ activeCluster: null });
  }, 600_000);

  it("a failing deploy pauses with the member out of rotation and the others active; others' actions on it are refused; abort leaves it stopped", async () => {
    const r = await startRollout(
      db,
      "lab",
      {
        ...FAST,
        members: ["tomcat2"],
        wait: { strategy: "inflight", timeoutSec: 30 },
        deploy: {
          kind: "command",
          command:
            'echo "deploying $CLUSTERDECK_MEMBER ($CLUSTERDECK_HOST:$CLUSTERDECK_HTTP_PORT, route $CLUSTERDECK_ROUTE)"; exit 3',
        },
      },
      asAdmin,
    );
    const paused = await untilSettled(db, r.id, 60_000);
    expect(paused.state).toBe("paused");
    expect(paused.message).toContain("deploy of tomcat2 failed: deploy command exited 3");
    const deploy = paused.steps.find((s) => s.phase === "deploy")!;
    expect(deploy).toMatchObject({ state: "failed" });
    expect(deploy.output).toContain("deploying tomcat2 (127.0.0.1:18082, route tomcat2)");
    const view = await labBalancerView(FRONTENDS, env);
    for (const f of FRONTENDS) {
      expect(view.tomcat2![f.name]!.adminState).toBe("stopped");
      expect(view.tomcat1![f.name]!.adminState).toBe("active");
      expect(view.tomcat3![f.name]!.adminState).toBe("active");
    }
    // Only one rollout per cluster; an operator's action on its member is refused and says why.
    await expect(
      startRollout(db, "lab", { ...FAST, deploy: { kind: "manual" }, wait: { strategy: "inflight" } }, asAdmin),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining(`Rollout #${r.id}`) });
    await expect(
      applyMemberChange(
        db,
        "lab",
        "tomcat2",
        { kind: "state", state: "active" },
        { principal: operator, ip: null, force: true },
      ),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining(`rollout #${r.id}`) });
    expect((await labBalancerView(FRONTENDS, env)).tomcat2!["apache-balancer"]!.adminState).toBe("stopped");
    const denied = await db.auditEntry.findFirstOrThrow({
      where: { actor: "it-operator (token:null)", result: "denied" },
      orderBy: { id: "desc" },
    });
    expect(JSON.parse(denied.details!)).toMatchObject({ rolloutId: r.id });
    // An admin may force it (audited as an override): re-stopping changes nothing here.
    const forced = await applyMemberChange(
      db,
      "lab",
      "tomcat2",
      { kind: "state", state: "stopped" },
      { principal: admin, ip: null, force: true },
    );
    expect(
      JSON.parse((await db.auditEntry.findUniqueOrThrow({ where: { id: forced.auditId } })).details!),
    ).toMatchObject({ overrodeRollout: r.id });

    const aborted = await requestAbort(db, "lab", r.id, asAdmin);
    expect(aborted.state).toBe("aborted");
    expect(aborted.members[0]).toMatchObject({ state: "left-stopped" });
    for (const f of FRONTENDS)
      expect((await labBalancerView(FRONTENDS, env)).tomcat2![f.name]!.adminState).toBe("stopped");
    expect(
      (
        await applyMemberChange(
          db,
          "lab",
          "tomcat2",
          { kind: "state", state: "active" },
          { principal: operator, ip: null },
        )
      ).overall,
    ).toBe("done");
  }, 120_000);

  it("abort during the wait re-enables the member and leaves the next untouched; the wait records remaining sessions", async () => {
    // Sessions created on tomcat2 directly: with strategy "sessions" the wait cannot end while they live.
    for (let i = 0; i < 3; i++) await fetch(`${labValue(env, "LAB_TOMCAT2_URL")}/counter`);
    const r = await startRollout(
      db,
      "lab",
      {
        ...FAST,
        members: ["tomcat2", "tomcat3"],
        wait: { strategy: "sessions", timeoutSec: 300 },
        deploy: { kind: "manual" },
      },
      { principal: operator, ip: null },
    );
    const waiting = await untilSettled(
      db,
      r.id,
      30_000,
      (v) => (v.steps.find((s) => s.phase === "wait")?.samples.length ?? 0) >= 2,
    );
    expect(waiting.members[0]!.remaining).toBeGreaterThanOrEqual(3);
    // nginx has no drain: the member stays in rotation there until the stop phase marks it down.
    for (const f of FRONTENDS)
      expect((await labBalancerView(FRONTENDS, env)).tomcat2![f.name]!.adminState).toBe(
        expectedAdminState(f, "draining"),
      );
    await requestAbort(db, "lab", r.id, asAdmin);
    const done = await untilSettled(db, r.id, 30_000);
    expect(done.state).toBe("aborted");
    expect(done.members.map((m) => [m.member, m.state])).toEqual([
      ["tomcat2", "re-enabled"],
      ["tomcat3", "not-started"],
    ]);
    const view = await labBalancerView(FRONTENDS, env);
    for (const f of FRONTENDS)
      for (const m of ["tomcat2", "tomcat3"])
        expect(view[m]![f.name]).toMatchObject({ adminState: "active", weight: original![m]![f.name]!.weight });
  }, 90_000);

  it("abort during a manual deploy leaves the member stopped; abort during the ramp re-enables it at its original weight", async () => {
    const settings = {
      ...FAST,
      members: ["tomcat3"],
      wait: { strategy: "inflight" as const, timeoutSec: 30 },
      deploy: { kind: "manual" as const },
      ramp: { percents: [50, 100], stepSec: 60 },
    };
    const a = await startRollout(db, "lab", settings, { principal: operator, ip: null });
    await untilSettled(db, a.id, 30_000, (v) => v.members[0]!.phase === "deploy");
    expect(await getRollout(db, "lab", a.id)).toMatchObject({ canContinue: expect.any(String) });
    for (const f of FRONTENDS)
      expect((await labBalancerView(FRONTENDS, env)).tomcat3![f.name]!.adminState).toBe("stopped");
    const ab = await untilSettled(db, (await requestAbort(db, "lab", a.id, asAdmin)).id, 30_000);
    expect(ab.members[0]).toMatchObject({ state: "left-stopped" });
    for (const f of FRONTENDS)
      expect((await labBalancerView(FRONTENDS, env)).tomcat3![f.name]!.adminState).toBe("stopped");
    await applyMemberChange(
      db,
      "lab",
      "tomcat3",
      { kind: "state", state: "active" },
      { principal: operator, ip: null },
    );

    const b = await startRollout(db, "lab", settings, { principal: operator, ip: null });
    await untilSettled(db, b.id, 30_000, (v) => v.members[0]!.phase === "deploy");
    await continueRollout(db, "lab", b.id, { principal: operator, ip: null });
    await untilSettled(
      db,
      b.id,
      60_000,
      (v) => v.members[0]!.phase === "ramp" && (v.steps.at(-1)?.message ?? "").includes("watching errors"),
    );
    for (const f of FRONTENDS)
      expect((await labBalancerView(FRONTENDS, env)).tomcat3![f.name]!.adminState).toBe("active");
    const rb = await untilSettled(db, (await requestAbort(db, "lab", b.id, asAdmin)).id, 30_000);
    expect(rb.members[0]).toMatchObject({ state: "re-enabled" });
    expect(rb.steps.at(-1)).toMatchObject({ phase: "ramp", state: "aborted" });
    const view = await labBalancerView(FRONTENDS, env);
    for (const f of FRONTENDS)
      expect(view.tomcat3![f.name]).toMatchObject({ adminState: "active", weight: original!.tomcat3![f.name]!.weight });
    expect((await db.member.findFirstOrThrow({ where: { name: "tomcat3" } })).intendedWeight).toBeNull();
  }, 120_000);

  describe("a console killed mid-rollout", () => {
    const children: ChildProcess[] = [];
    afterAll(() => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")));

    function consoleProcess(startSettings?: object): ChildProcess {
      // node itself with tsx's loader, not the tsx wrapper: SIGKILL must hit the process running the rollout.
      const child = spawn(process.execPath, ["--import", "tsx", "test-support/rollout-console.ts"], {
        cwd: REPO,
        env: {
          ...process.env,
          DATABASE_URL: url,
          ...(startSettings ? { ROLLOUT_START: JSON.stringify({ cluster: "lab", ...startSettings }) } : {}),
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      return child;
    }
    const killed = (c: ChildProcess) =>
      new Promise<void>((res) => (c.exitCode !== null ? res() : (c.once("exit", () => res()), c.kill("SIGKILL"))));
    const latestId = async () => (await db.rollout.findFirst({ orderBy: { id: "desc" } }))?.id ?? 0;

    it("resumes from the persisted phase: finished members are not redone, the interrupted ramp runs again", async () => {
      const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rollout-")), "deploys.log");
      const before = await latestId();
      const first = consoleProcess({
        ...FAST,
        members: ["tomcat1", "tomcat2"],
        wait: { strategy: "inflight", timeoutSec: 30 },
        deploy: { kind: "command", command: `echo "$CLUSTERDECK_MEMBER" >> ${log}` },
        ramp: { percents: [50, 100], stepSec: 4 },
      });
      await vi.waitFor(async () => expect(await latestId()).toBeGreaterThan(before), {
        timeout: 30_000,
        interval: 200,
      });
      const id = await latestId();
      await untilSettled(
        db,
        id,
        90_000,
        (v) =>
          v.members[1]!.phase === "ramp" && v.steps.at(-1)?.phase === "ramp" && v.steps.at(-1)?.state === "running",
      );
      await killed(first);
      expect((await getRollout(db, "lab", id)).state).toBe("running"); // nothing written on the way out

      const second = consoleProcess();
      const done = await untilSettled(db, id, 90_000);
      await killed(second);
      expect(done.state, done.message ?? "").toBe("done");
      expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual(["tomcat1", "tomcat2"]);
      expect(done.steps.filter((s) => s.member === "tomcat1").map((s) => s.phase)).toEqual([
        "drain",
        "wait",
        "stop",
        "deploy",
        "health",
        "ramp",
      ]);
      expect(done.steps.filter((s) => s.member === "tomcat2").map((s) => [s.phase, s.state])).toEqual([
        ["drain", "done"],
        ["wait", "done"],
        ["stop", "done"],
        ["deploy", "done"],
        ["health", "done"],
        ["ramp", "interrupted"],
        ["ramp", "done"],
      ]);
      const view = await labBalancerView(FRONTENDS, env);
      for (const f of FRONTENDS)
        for (const m of ["tomcat1", "tomcat2"])
          expect(view[m]![f.name]).toMatchObject({ adminState: "active", weight: original![m]![f.name]!.weight });
    }, 240_000);

    it("a deploy interrupted by the crash pauses on restart and says so; continue then finishes it", async () => {
      const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rollout-")), "deploys.log");
      const before = await latestId();
      const first = consoleProcess({
        ...FAST,
        members: ["tomcat3"],
        wait: { strategy: "inflight", timeoutSec: 30 },
        deploy: { kind: "command", command: `echo start >> ${log}; sleep 3; echo end >> ${log}` },
        ramp: { percents: [100], stepSec: 1 },
      });
      await vi.waitFor(async () => expect(await latestId()).toBeGreaterThan(before), {
        timeout: 30_000,
        interval: 200,
      });
      const id = await latestId();
      await vi.waitFor(() => expect(fs.existsSync(log) && fs.readFileSync(log, "utf8")).toBe("start\n"), {
        timeout: 60_000,
        interval: 100,
      });
      await killed(first);
      const second = consoleProcess();
      const paused = await untilSettled(db, id, 30_000);
      await killed(second);
      expect(paused.state).toBe("paused");
      expect(paused.message).toContain("The deploy of tomcat3 was interrupted by a console restart");
      expect(paused.steps.at(-1)).toMatchObject({ phase: "deploy", state: "interrupted" });
      for (const f of FRONTENDS)
        expect((await labBalancerView(FRONTENDS, env)).tomcat3![f.name]!.adminState).toBe("stopped");
      // The command itself lived on in its own process group and ended by itself.
      await vi.waitFor(() => expect(fs.readFileSync(log, "utf8")).toBe("start\nend\n"), {
        timeout: 10_000,
        interval: 100,
      });
      await expect(resumeRollout(db, "lab", id + 1000, asAdmin)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await continueRollout(db, "lab", id, asAdmin);
      const done = await untilSettled(db, id, 60_000);
      expect(done.state, done.message ?? "").toBe("done");
      expect(fs.readFileSync(log, "utf8")).toBe("start\nend\n"); // not run a second time
      for (const f of FRONTENDS)
        expect((await labBalancerView(FRONTENDS, env)).tomcat3![f.name]).toMatchObject({
          adminState: "active",
          weight: original!.tomcat3![f.name]!.weight,
        });
    }, 180_000);
  });
});
