/**
 * One rolling deploy over the lab's three real Tomcats, behind its four real frontends, under users, run by
 * three console instances on the lab's PostgreSQL: the instance running it is killed (kill -9) while
 * tomcat2 waits for its in-flight requests, and the instance that took it over is killed again while
 * tomcat2 ramps back at 50 %. The third finishes it. Every deploy command ran once, no user saw a failed
 * request or lost a session, and every member is back active at its weight on every balancer.
 * Start the lab first: bash e2e/lab/lab.sh up
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { startTraffic } from "@/e2e/lab/traffic";
import {
  isAlive,
  killAll,
  killNine,
  startInstance,
  waitFor,
  waitReady,
  type TInstance,
} from "@/test-support/console-instances";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { LAB_ROUTES, labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import {
  expectActiveAtOriginalWeights,
  expectNoUserHarm,
  expectServingVersion,
  labBalancerView,
  labVersionFile,
  readLabVersions,
  restoreLabMembers,
  type TLabBalancerView,
} from "@/test-support/lab/lab-rollout";
import { createPostgresTestDb } from "@/test-support/test-db";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
/** How long tomcat2 keeps one request in flight: its wait outlasts the first kill and the takeover. */
const HELD_MS = 25_000;

describe("a rollout under users whose instance is killed mid-wait and again mid-ramp", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let dir: string;
  let original: TLabBalancerView | undefined;
  let versions = new Map<string, string>();
  const instances: TInstance[] = [];

  beforeAll(async () => {
    let url: string;
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(env, "LAB_POSTGRES_URL")));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterdeck-rollout-takeover-"));
    await waitUntilHealthy(FRONTENDS);
    original = await labBalancerView(FRONTENDS, env);
    versions = readLabVersions(env);
    for (const name of ["a", "b", "c"])
      instances.push(
        startInstance(name, url, {
          CLUSTERDECK_INVENTORY: labValue(env, "LAB_INVENTORY"),
          CLUSTERDECK_POLL_CONCURRENCY: "4",
          CLUSTER: "lab",
        }),
      );
    await waitReady(instances, 90_000);
  }, 180_000);

  afterAll(async () => {
    await killAll(instances);
    if (db && original) await restoreLabMembers(db, FRONTENDS, original, versions, env);
    await cleanup?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("completes on the third instance: each deploy ran once, no failed request, no lost session, all back at their weights", async () => {
    const log = path.join(dir, "deploys.log");
    const newVersion = `takeover-${Date.now()}`;
    const settings = {
      members: [...LAB_ROUTES],
      // The wait ends when no request is in flight on tomcat2: the test holds one there, a window to kill in.
      wait: { strategy: "inflight", timeoutSec: 120, onTimeout: "pause" },
      deploy: {
        kind: "command",
        // The log line first: a command run twice would show twice even if its restart failed.
        command: `echo "$CLUSTERDECK_MEMBER" >> ${log} && bash e2e/lab/lab.sh stop-member "$CLUSTERDECK_MEMBER" && echo "${newVersion}" > "${labVersionFile(env, "$CLUSTERDECK_ROUTE")}" && bash e2e/lab/lab.sh start-member "$CLUSTERDECK_MEMBER"`,
        timeoutSec: 180,
      },
      health: { path: "/app/health", timeoutSec: 60 },
      // Two steps of 3 s: a ramp of 6 s, a window to kill in.
      ramp: { percents: [50, 100], stepSec: 3 },
      pollMs: 300,
    };
    const step = (member: string, phase: string, state: string) =>
      db.rolloutStep.findFirst({ where: { member, phase, state }, orderBy: { id: "desc" } });
    const runnerOf = async (id: number) => {
      const lease = await db.dutyLease.findUniqueOrThrow({ where: { duty: `rollout:${id}` } });
      return { lease, instance: instances.find((i) => i.name === lease.owner && isAlive(i))! };
    };

    const traffic = startTraffic({
      users: 24,
      ratePerSec: 40,
      durationMs: 900_000,
      targets: FRONTENDS.map((f) => f.appUrl),
    });
    let held: Promise<Response> | undefined;
    try {
      await vi.waitFor(() => expect(traffic.snapshot().users.every((u) => u.requests >= 3)).toBe(true), {
        timeout: 30_000,
        interval: 200,
      });
      const starter = instances[0]!;
      starter.child.stdin!.write(`rollout lab ${JSON.stringify(settings)}\n`);
      const id = await waitFor(
        "the rollout to start",
        () => starter.lines.find((l) => l.rollout || l.rolloutFailed),
        10_000,
      ).then((l) => l.rollout ?? expect.fail(l.rolloutFailed));

      // While tomcat1 ramps back, one slow request sticks to tomcat2 through httpd (its route in the cookie).
      await vi.waitFor(async () => expect(await step("tomcat1", "ramp", "running")).not.toBeNull(), {
        timeout: 180_000,
        interval: 50,
      });
      held = fetch(`${labValue(env, "LAB_FRONTEND_A_URL")}/slow?ms=${HELD_MS}`, {
        headers: { Cookie: "JSESSIONID=held.tomcat2" },
      });
      // Kill 1: tomcat2 drained, its wait watching that request.
      await vi.waitFor(
        async () => expect((await step("tomcat2", "wait", "running"))?.message ?? "").toMatch(/[1-9]\d* request/),
        { timeout: 60_000, interval: 50 },
      );
      const first = await runnerOf(id);
      await killNine(first.instance);
      // Kill 2: whoever took it over, once tomcat2 is back at 50 % of its weight.
      await vi.waitFor(
        async () => expect((await step("tomcat2", "ramp", "running"))?.message ?? "").toContain("enabled at 50%"),
        { timeout: 180_000, interval: 50 },
      );
      const second = await runnerOf(id);
      expect(second.lease.owner).not.toBe(first.lease.owner);
      await killNine(second.instance);

      await vi.waitFor(async () => expect((await db.rollout.findUniqueOrThrow({ where: { id } })).state).toBe("done"), {
        timeout: 300_000,
        interval: 250,
      });
      const last = await db.dutyLease.findUniqueOrThrow({ where: { duty: `rollout:${id}` } });
      expect([first.lease.owner, second.lease.owner]).not.toContain(last.owner);
      expect(last.token).toBeGreaterThan(second.lease.token);
      expect((await held).status).toBe(200);

      // Every deploy command ran exactly once, across the three instances.
      expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual([...LAB_ROUTES]);
      const steps = await db.rolloutStep.findMany({ where: { rolloutId: id }, orderBy: { id: "asc" } });
      const of = (m: string) => steps.filter((s) => s.member === m).map((s) => `${s.phase} ${s.state}`);
      const clean = ["drain", "wait", "stop", "deploy", "health", "ramp"].map((p) => `${p} done`);
      expect(of("tomcat1")).toEqual(clean);
      expect(of("tomcat3")).toEqual(clean);
      // tomcat2's wait and ramp were cut by the kills and run again by the instance that took over.
      expect(of("tomcat2")).toEqual([
        "drain done",
        "wait interrupted",
        "wait done",
        "stop done",
        "deploy done",
        "health done",
        "ramp interrupted",
        "ramp done",
      ]);
      for (const s of steps.filter((x) => x.phase === "deploy"))
        expect(s.output).toMatch(
          new RegExp(`${s.member} stopped through its shutdown port[\\s\\S]*${s.member} up after`),
        );

      // Users keep going on the new version for a few more requests each.
      const at = new Map(traffic.snapshot().users.map((u) => [u.user, u.requests]));
      await vi.waitFor(
        () => expect(traffic.snapshot().users.every((u) => u.requests >= at.get(u.user)! + 3)).toBe(true),
        { timeout: 30_000, interval: 200 },
      );
    } finally {
      await held?.catch(() => undefined);
      expectNoUserHarm(await traffic.stop());
    }
    // The new version answers on each Tomcat; every member is active at its original weight everywhere.
    await expectServingVersion(env, newVersion);
    await expectActiveAtOriginalWeights(FRONTENDS, original!, env);
  }, 600_000);
});
