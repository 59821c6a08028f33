/**
 * Three console instances on the lab's PostgreSQL, each a real process (test-support/multi-console-process.ts
 * runs startConsole), started together on a fresh database with the lab's inventory plus a cluster of
 * synthetic frontends in this process (they count the status requests they answer; the drain goes to them,
 * so the lab's own frontends are only read). Start the lab first: bash e2e/lab/lab.sh up
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  exited,
  isAlive,
  killAll,
  startInstance,
  waitFor,
  waitReady,
  type TInstance,
} from "@/test-support/console-instances";
import type { PrismaClient } from "@/generated/prisma/client";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createPostgresTestDb } from "@/test-support/test-db";
import { startSyntheticFrontend, type TSyntheticFrontend } from "@/test-support/synthetic-frontend/server";
import {
  holdBusy,
  syntheticInventoryYaml,
  syntheticMembers,
  type TSyntheticMemberSpec,
} from "@/test-support/synthetic-frontend/members";
import { SCHEMA_VERSION } from "@/server/multi-instance/schema-check";
import { parseBalancerManagerXml } from "@/server/adapters/frontends/apache-balancer/parse";

const INTERVAL_MS = 2_000;
const NAMES = ["a", "b", "c"] as const;
/** The lab's Tomcats as members of a cluster whose one frontend is synthetic: a rollout drains and ramps
 * them there only, and its health gate reads the real Tomcats (GET /app/health, nothing changes). */
const LAB_TOMCATS: TSyntheticMemberSpec[] = [1, 2, 3].map((n) => ({
  name: `tomcat${n}`,
  route: `tomcat${n}`,
  host: "127.0.0.1",
  httpPort: Number(labValue(loadLabEnv(), `LAB_TOMCAT${n}_HTTP_PORT`)),
  ajpPort: Number(labValue(loadLabEnv(), `LAB_TOMCAT${n}_AJP_PORT`)),
  requestsPerSec: 1,
  errorsPerSec: 0,
}));

function startMultiInstance(name: string, dbUrl: string, inventory: string): TInstance {
  return startInstance(name, dbUrl, {
    CLUSTERDECK_INVENTORY: inventory,
    CLUSTERDECK_POLL_CONCURRENCY: "4",
    CLUSTER: "multi",
  });
}

describe("three console instances on one PostgreSQL", () => {
  let db: PrismaClient;
  let url: string;
  let cleanup: () => Promise<void>;
  let dir: string;
  let inventory: string;
  const frontends: TSyntheticFrontend[] = [];
  const instances: TInstance[] = [];
  let frontendIds = new Map<string, number>();
  let duties: string[] = [];

  const alive = () => instances.filter(isAlive);
  const ownerOf = (duty: string) => alive().filter((i) => i.owned.includes(duty));

  beforeAll(async () => {
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    // Enough members that a reading exceeds a NOTIFY payload: the fan-out sends it through FanoutMessage.
    const members = syntheticMembers(40);
    for (const kind of ["apache-balancer", "mod-jk", "haproxy"] as const)
      frontends.push(await startSyntheticFrontend(kind, `syn-${kind}`, members));
    const multi = syntheticInventoryYaml(
      "multi",
      members,
      frontends.map((f) => ({
        name: f.name,
        kind: f.kind,
        url: f.url,
        balancer: f.balancer,
        pollIntervalMs: INTERVAL_MS,
      })),
    );
    // The lab's inventory (its real frontends and stores, only read) and the synthetic cluster, in one file.
    const rollingFrontend = await startSyntheticFrontend("apache-balancer", "syn-rolling", LAB_TOMCATS);
    frontends.push(rollingFrontend);
    const rolling = syntheticInventoryYaml("rolling", LAB_TOMCATS, [
      { name: "syn-rolling", kind: "apache-balancer", url: rollingFrontend.url, balancer: rollingFrontend.balancer },
    ]);
    const lab = fs.readFileSync(labValue(loadLabEnv(), "LAB_INVENTORY"), "utf8").trimEnd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterdeck-multi-"));
    inventory = path.join(dir, "inventory.yaml");
    const more = [multi, rolling].map((y) => y.replace(/^clusters:\n/, "")).join("");
    fs.writeFileSync(inventory, `${lab}\n${more}`);
    // Started together: the first admin and the inventory import must each happen once.
    for (const name of NAMES) instances.push(startMultiInstance(name, url, inventory));
    await waitReady(instances, 90_000);
    frontendIds = new Map(
      (await db.frontend.findMany({ where: { cluster: { name: "multi" } } })).map((f) => [f.name, f.id]),
    );
    const [fronts, stores] = await Promise.all([
      db.frontend.findMany({ where: { enabled: true } }),
      db.sessionStore.findMany(),
    ]);
    duties = [
      "alerts",
      "delivery",
      "history",
      "reapply",
      ...fronts.map((f) => `frontend:${f.id}`),
      ...stores.map((s) => `store:${s.id}`),
    ];
  }, 120_000);

  afterAll(async () => {
    await killAll(instances);
    for (const f of frontends) await f.close();
    await cleanup?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("starting together creates the first admin once and imports the inventory once", async () => {
    expect(await db.user.count()).toBe(1);
    expect(await db.cluster.count({ where: { name: "multi" } })).toBe(1);
    expect(await db.frontend.count({ where: { cluster: { name: "multi" } } })).toBe(3);
    // Exactly one instance printed a generated password.
    const printed = instances.flatMap((i) => i.stderr).filter((l) => l.includes("created admin user"));
    expect(printed).toHaveLength(1);
  });

  it("spreads the duties: each owned by exactly one instance, none owns all", async () => {
    const share = Math.ceil(duties.length / 3);
    await waitFor(
      "every duty owned once, by instances within their share",
      () =>
        duties.every((d) => ownerOf(d).length === 1) &&
        alive().every((i) => i.owned.length <= share && i.owned.length > 0),
      15_000,
    );
    for (const i of alive()) expect(i.owned.length).toBeLessThan(duties.length);
    // The database agrees: every duty's lease names a live instance.
    const rows = await db.dutyLease.findMany({ where: { duty: { in: duties } } });
    expect(rows).toHaveLength(duties.length);
    for (const r of rows) expect(ownerOf(r.duty).map((i) => i.name)).toEqual([r.owner]);
  });

  it("polls each frontend from exactly one instance, as often as one poller would", async () => {
    const windowMs = 4 * INTERVAL_MS;
    const counted = frontends.filter((f) => frontendIds.has(f.name));
    const before = counted.map((f) => f.stats().statusRequests);
    const from = Date.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const to = Date.now();
    counted.forEach((f, k) => {
      const id = frontendIds.get(f.name)!;
      const pollers = new Set(
        instances
          .filter((i) => i.lines.some((l) => l.polled === id && l.at! >= from && l.at! <= to))
          .map((i) => i.name),
      );
      expect(pollers.size, `${f.name} polled by ${[...pollers].join(", ")}`).toBe(1);
      // Counted at the target: one poller every interval (a second one would double it).
      const requests = f.stats().statusRequests - before[k]!;
      expect(requests).toBeGreaterThanOrEqual(windowMs / INTERVAL_MS - 1);
      expect(requests).toBeLessThanOrEqual(windowMs / INTERVAL_MS + 1);
    });
  });

  it("a drain issued on one instance reaches another instance's live stream within interval + 300 ms", async () => {
    const f = frontends.find((x) => x.name === "syn-apache-balancer")!;
    const owner = ownerOf(`frontend:${frontendIds.get(f.name)}`)[0]!;
    // B issues the drain and C watches; C is neither B nor (if possible) the frontend's owner.
    const [b, c] = [...alive().filter((i) => i !== owner), owner] as [TInstance, TInstance];
    const seen = c.lines.length;
    b.child.stdin!.write("drain m0002\n");
    const started = await waitFor("drain started", () => b.lines.find((l) => l.drainStarted)?.drainStarted, 5_000);
    const frame = await waitFor(
      "a frame with m0002 draining on C",
      // On f (the cluster's first frontend), which C does not poll: only the owner's fanned-out reading shows it.
      () =>
        c.lines
          .slice(seen)
          .find(
            (l) =>
              l.frame === "delta" && l.rows!.some(([m, i, state]) => m === "m0002" && i === 0 && state === "draining"),
          ),
      10_000,
    );
    expect(frame.at! - started).toBeLessThanOrEqual(INTERVAL_MS + 300);
    // The readings of these 40-member frontends went through the table, not the NOTIFY payload.
    expect(await db.fanoutMessage.count()).toBeGreaterThan(0);
    expect(await waitFor("drain result", () => b.lines.find((l) => l.drained)?.drained, 10_000)).toBe("done");
  });

  it("kill -9 the owner of a frontend: another instance polls it within two intervals", async () => {
    const f = frontends.find((x) => x.name === "syn-mod-jk")!;
    const id = frontendIds.get(f.name)!;
    const owner = ownerOf(`frontend:${id}`)[0]!;
    owner.child.kill("SIGKILL");
    const killedAt = Date.now();
    await exited(owner.child);
    const took = await waitFor(
      "another instance polling it",
      () => alive().flatMap((i) => i.lines.filter((l) => l.polled === id && l.at! > killedAt))[0],
      4 * INTERVAL_MS,
    );
    expect(took.at! - killedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
    // The dead instance's other duties were all taken over, and the two left share everything.
    await waitFor("every duty owned by a live instance", () => duties.every((d) => ownerOf(d).length === 1), 10_000);
  });

  it("kill -9 the instance running a rollout mid-wait: another resumes it, each deploy command ran once", async () => {
    const log = path.join(dir, "deploys.log");
    const settings = {
      members: ["tomcat1", "tomcat2", "tomcat3"],
      // tomcat2 keeps a request in flight until the test lets it go: its wait lasts that long (a window to kill in).
      wait: { strategy: "inflight", timeoutSec: 60, onTimeout: "pause" },
      deploy: { kind: "command", command: `echo "$CLUSTERDECK_MEMBER" >> ${log}`, timeoutSec: 30 },
      health: { path: "/app/health", timeoutSec: 30 },
      ramp: { percents: [100], stepSec: 1 },
      pollMs: 300,
    };
    const tomcat2 = LAB_TOMCATS[1]!;
    holdBusy(tomcat2, 1);
    const starter = alive()[0]!;
    starter.child.stdin!.write(`rollout rolling ${JSON.stringify(settings)}\n`);
    const id = await waitFor(
      "the rollout to start",
      () => starter.lines.find((l) => l.rollout || l.rolloutFailed),
      10_000,
    ).then((l) => l.rollout ?? expect.fail(l.rolloutFailed));
    const duty = `rollout:${id}`;
    await vi.waitFor(
      async () =>
        expect(
          await db.rolloutStep.count({ where: { rolloutId: id, member: "tomcat2", phase: "wait", state: "running" } }),
        ).toBe(1),
      { timeout: 30_000, interval: 50 },
    );
    const lease = await db.dutyLease.findUniqueOrThrow({ where: { duty } });
    const runner = alive().find((i) => i.name === lease.owner)!;
    runner.child.kill("SIGKILL");
    await exited(runner.child);
    // The survivor takes the rollout over and waits on, until the request ends.
    await vi.waitFor(
      async () => expect((await db.dutyLease.findUniqueOrThrow({ where: { duty } })).owner).not.toBe(lease.owner),
      { timeout: 15_000, interval: 100 },
    );
    holdBusy(tomcat2, null);
    await vi.waitFor(async () => expect((await db.rollout.findUniqueOrThrow({ where: { id } })).state).toBe("done"), {
      timeout: 60_000,
      interval: 200,
    });
    // Every deploy command ran exactly once, across the two instances.
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual(["tomcat1", "tomcat2", "tomcat3"]);
    const steps = await db.rolloutStep.findMany({ where: { rolloutId: id }, orderBy: { id: "asc" } });
    expect(steps.filter((s) => s.phase === "deploy").map((s) => [s.member, s.state])).toEqual([
      ["tomcat1", "done"],
      ["tomcat2", "done"],
      ["tomcat3", "done"],
    ]);
    // tomcat2's wait was cut by the kill and run again by the instance that took the rollout over.
    expect(steps.filter((s) => s.member === "tomcat2" && s.phase === "wait").map((s) => s.state)).toEqual([
      "interrupted",
      "done",
    ]);
    const after = await db.dutyLease.findUniqueOrThrow({ where: { duty } });
    expect(after.owner).not.toBe(lease.owner);
    expect(after.token).toBeGreaterThan(lease.token);
  });

  it("kill -9 the instance running a rollout mid-ramp: another runs the ramp again and ends at the original weights", async () => {
    // The earlier kills left one instance: a second one joins (the inventory import finds nothing to do).
    const joined = startMultiInstance("d", url, inventory);
    instances.push(joined);
    await waitFor("the joining instance ready", () => joined.lines.some((l) => l.ready), 90_000);
    const log = path.join(dir, "deploys-ramp.log");
    const settings = {
      members: ["tomcat1", "tomcat2", "tomcat3"],
      wait: { strategy: "inflight", timeoutSec: 60, onTimeout: "pause" },
      deploy: { kind: "command", command: `echo "$CLUSTERDECK_MEMBER" >> ${log}`, timeoutSec: 30 },
      health: { path: "/app/health", timeoutSec: 30 },
      // Three steps of 2 s each: a ramp of 6 s, a window to kill in.
      ramp: { percents: [25, 50, 100], stepSec: 2 },
      pollMs: 300,
    };
    const rolling = frontends.find((f) => f.name === "syn-rolling")!;
    const shownOnRolling = async () => {
      const res = await fetch(`${rolling.url}?xml=1`, { headers: { Referer: rolling.url } });
      const status = parseBalancerManagerXml(await res.text());
      return status.balancers
        .flatMap((bal) => bal.members)
        .map((m) => [m.route, m.adminState, m.loadfactor] as const)
        .sort();
    };
    const shownBefore = await shownOnRolling();
    const weightsBefore = await db.member.findMany({
      where: { cluster: { name: "rolling" } },
      select: { name: true, intendedWeight: true },
      orderBy: { name: "asc" },
    });
    const starter = alive()[0]!;
    const from = starter.lines.length;
    starter.child.stdin!.write(`rollout rolling ${JSON.stringify(settings)}\n`);
    const id = await waitFor(
      "the rollout to start",
      () => starter.lines.slice(from).find((l) => l.rollout || l.rolloutFailed),
      10_000,
    ).then((l) => l.rollout ?? expect.fail(l.rolloutFailed));
    const duty = `rollout:${id}`;
    // tomcat2 at 50 %: enabled again, its weight half way, the ramp still watching.
    await vi.waitFor(
      async () => {
        const step = await db.rolloutStep.findFirst({
          where: { rolloutId: id, member: "tomcat2", phase: "ramp", state: "running" },
        });
        expect(step?.message ?? "").toContain("enabled at 50%");
      },
      { timeout: 60_000, interval: 50 },
    );
    const lease = await db.dutyLease.findUniqueOrThrow({ where: { duty } });
    const runner = alive().find((i) => i.name === lease.owner)!;
    runner.child.kill("SIGKILL");
    await exited(runner.child);
    await vi.waitFor(async () => expect((await db.rollout.findUniqueOrThrow({ where: { id } })).state).toBe("done"), {
      timeout: 90_000,
      interval: 200,
    });
    // Every deploy command ran exactly once; tomcat2's ramp was cut by the kill and run again by the survivor.
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual(["tomcat1", "tomcat2", "tomcat3"]);
    const steps = await db.rolloutStep.findMany({ where: { rolloutId: id }, orderBy: { id: "asc" } });
    expect(steps.filter((s) => s.phase === "deploy").map((s) => s.state)).toEqual(["done", "done", "done"]);
    expect(steps.filter((s) => s.member === "tomcat2" && s.phase === "ramp").map((s) => s.state)).toEqual([
      "interrupted",
      "done",
    ]);
    const after = await db.dutyLease.findUniqueOrThrow({ where: { duty } });
    expect(after.owner).not.toBe(lease.owner);
    expect(after.token).toBeGreaterThan(lease.token);
    // The ramp ended where it began: every member active at the weight it had, as the frontend shows it.
    const shownAfter = await shownOnRolling();
    expect(shownAfter).toEqual(shownBefore);
    expect(shownAfter.map(([, state]) => state)).toEqual(["active", "active", "active"]);
    expect(
      await db.member.findMany({
        where: { cluster: { name: "rolling" } },
        select: { name: true, intendedWeight: true },
        orderBy: { name: "asc" },
      }),
    ).toEqual(weightsBefore);
  });

  it("an instance older than the database's schema refuses to start and says why", async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`INSERT INTO "_clusterdeck_migrations" (name) VALUES ('9999_from_a_newer_release')`);
      const late = startMultiInstance("old", url, "");
      expect(await exited(late.child)).toBe(1);
      expect(late.stderr.join("\n")).toContain(`this build knows up to ${SCHEMA_VERSION}`);
      expect(late.lines.some((l) => l.ready)).toBe(false);
    } finally {
      await client.query(`DELETE FROM "_clusterdeck_migrations" WHERE name = '9999_from_a_newer_release'`);
      await client.end();
    }
  });
});
