/**
 * What the rolling-deploy tests over the lab share: every lab member as every balancer shows it, the
 * users' verdict, and putting members, weights and app versions back whatever a test left.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { startTraffic, type TTrafficReport } from "@/e2e/lab/traffic";
import { baseOfSessionId, routeOfSessionId } from "@/server/domain/session-id";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { readBalancer } from "@/server/services/frontends/read-frontend";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { createTestDb } from "@/test-support/test-db";
import { labCommand, labValue } from "./lab-env";
import { expireLabContextSessions } from "./lab-stores";
import { LAB_ROUTES, labFrontends, labRouteOf, waitUntilHealthy, type TLabFrontend } from "./lab-frontends";

type TLabEnv = Record<string, string>;

export type TLabBalancerView = Record<string, Record<string, { adminState: string; weight: number; health: string }>>;

/** Admin state, weight and health of every lab member on every frontend, read from the balancers, keyed
 * by lab route (nginx members, which have no route, by their Tomcat's port) and then frontend name. */
export async function labBalancerView(frontends: readonly TLabFrontend[], env: TLabEnv): Promise<TLabBalancerView> {
  const out: TLabBalancerView = {};
  for (const f of frontends) {
    for (const m of (await readBalancer(f.row)).members)
      (out[labRouteOf(m, env)] ??= {})[f.name] = { adminState: m.adminState, weight: m.loadfactor, health: m.health };
  }
  return out;
}

/** The file each lab Tomcat's app reads its version from on every request. */
export function labVersionFile(env: TLabEnv, route: string): string {
  return path.join(labValue(env, "LAB_DIR"), route, "app-version.txt");
}

export function readLabVersions(env: TLabEnv): Map<string, string> {
  return new Map(LAB_ROUTES.map((r) => [r, fs.readFileSync(labVersionFile(env, r), "utf8")]));
}

/**
 * Every lab member active again at the weight `original` shows for it on each frontend, and each app
 * version file as it was (the app reads it per request, so no restart is needed).
 */
export async function restoreLabMembers(
  db: PrismaClient,
  frontends: readonly TLabFrontend[],
  original: TLabBalancerView,
  versions: Map<string, string>,
  env: TLabEnv,
): Promise<void> {
  const who = { principal: null, actor: "integration-test", ip: null };
  for (const r of LAB_ROUTES) {
    for (const f of frontends) {
      const w = original[r]?.[f.name]?.weight;
      const id = (await db.frontend.findFirstOrThrow({ where: { name: f.name } })).id;
      if (w !== undefined)
        await applyMemberChange(
          db,
          "lab",
          r,
          { kind: "weight", weight: w },
          { ...who, frontendIds: [id], recordIntent: false },
        );
    }
    await applyMemberChange(db, "lab", r, { kind: "state", state: "active" }, { ...who, force: true });
    const v = versions.get(r);
    if (v !== undefined) fs.writeFileSync(labVersionFile(env, r), v);
  }
}

/** No user saw a failed request, a lost session or a counter going back; else the first reasons why. */
export function expectNoUserHarm(report: TTrafficReport): void {
  const why = report.users.flatMap((u) =>
    [...u.failureMessages, ...u.violationMessages].map((m) => `user ${u.user} (${u.nodesSeen.join(">")}): ${m}`),
  );
  expect(report.totals, why.slice(0, 20).join("\n")).toMatchObject({
    failures: 0,
    sessionLost: 0,
    counterViolations: 0,
  });
  for (const u of report.users)
    expect(u.counterMonotonic, `user ${u.user}: ${u.violationMessages.join("; ")}`).toBe(true);
}

/** Each lab Tomcat, asked directly (no balancer), serves `version`. */
export async function expectServingVersion(env: TLabEnv, version: string): Promise<void> {
  for (const r of LAB_ROUTES) {
    const direct = (await (await fetch(`${labValue(env, `LAB_TOMCAT${r.slice(-1)}_URL`)}/counter`)).json()) as {
      version: string;
      node: string;
    };
    expect(direct).toMatchObject({ node: r, version });
  }
}

/** Every lab member active, healthy and at the weight `original` shows, on every frontend (asked directly). */
export async function expectActiveAtOriginalWeights(
  frontends: readonly TLabFrontend[],
  original: TLabBalancerView,
  env: TLabEnv,
): Promise<void> {
  const now = await labBalancerView(frontends, env);
  for (const r of LAB_ROUTES)
    for (const f of frontends)
      expect(now[r]![f.name]).toMatchObject({
        adminState: "active",
        weight: original[r]![f.name]!.weight,
        health: "healthy",
      });
}

/** A test's own console database with the lab inventory, over a healthy lab it puts back afterwards. */
export interface TLabClusterTest {
  db: PrismaClient;
}

/** What a lab test wants done around it besides the database and putting the cluster back. */
export interface TLabClusterOptions {
  /**
   * A lab context (e.g. "/backup") whose sessions are expired on every Tomcat before the test and after it:
   * the test counts only its own users, and leaves no session behind (a BackupManager session that lost
   * its primary stays a lone copy for 30 minutes, which would hold up a later rollout's "safe" wait).
   */
  context?: string;
  /** Runs last in beforeAll (e.g. start the users). */
  prepare?: () => Promise<void>;
}

/**
 * Registers beforeAll/afterAll for a test that stops lab members: a fresh database with the lab's
 * inventory, the lab healthy first; afterwards every Tomcat running again and every member active at its
 * weight, whatever the test left.
 */
export function useLabCluster(env: TLabEnv, options: TLabClusterOptions = {}): TLabClusterTest {
  const frontends = labFrontends(env);
  const ctx = {} as TLabClusterTest;
  let cleanup: (() => Promise<void>) | undefined;
  let original: TLabBalancerView | undefined;
  let versions = new Map<string, string>();
  beforeAll(async () => {
    let db: PrismaClient;
    ({ db, cleanup } = await createTestDb());
    ctx.db = db;
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await waitUntilHealthy(frontends);
    original = await labBalancerView(frontends, env);
    versions = readLabVersions(env);
    if (options.context) await expireLabContextSessions(env, options.context);
    await options.prepare?.();
  }, 180_000);
  afterAll(async () => {
    for (const r of LAB_ROUTES) await labCommand("start-member", r).catch(() => undefined);
    if (original) await restoreLabMembers(ctx.db, frontends, original, versions, env);
    await waitUntilHealthy(frontends).catch(() => undefined);
    if (options.context) await expireLabContextSessions(env, options.context);
    await cleanup?.();
  }, 180_000);
  return ctx;
}

/**
 * 24 users on `targets` until each made 3 requests; the index scanned (what the member action remembers
 * of the member's sessions); `route` set stopped on every frontend and its Tomcat stopped as a deploy
 * would; then 5 more requests each. Returns the users' report (users stopped whatever happened).
 */
export async function stopMemberUnderUsers(
  db: PrismaClient,
  targets: string[],
  route: string,
): Promise<TTrafficReport> {
  const traffic = startTraffic({ users: 24, ratePerSec: 40, durationMs: 600_000, targets });
  try {
    await vi.waitFor(() => expect(traffic.snapshot().users.every((u) => u.requests >= 3)).toBe(true), {
      timeout: 30_000,
      interval: 200,
    });
    await sessionScans().awaitScan(db, "lab", Date.now());
    const who = { principal: null, actor: "integration-test", ip: null };
    const stopped = await applyMemberChange(db, "lab", route, { kind: "state", state: "stopped" }, who);
    expect(stopped.overall).toBe("done");
    await labCommand("stop-member", route);
    const at = new Map(traffic.snapshot().users.map((u) => [u.user, u.requests]));
    await vi.waitFor(
      () => expect(traffic.snapshot().users.every((u) => u.requests >= at.get(u.user)! + 5)).toBe(true),
      { timeout: 60_000, interval: 200 },
    );
  } finally {
    await traffic.stop();
  }
  return traffic.stop();
}

/**
 * After `route` stopped: its users went on under one new id each (same base id, a surviving route), every
 * other user kept its one id. Returns the renamed users.
 */
export function expectRenamedOnce(report: TTrafficReport, route: string): TTrafficReport["users"] {
  const moved = report.users.filter((u) => routeOfSessionId(u.sessionIds[0]!) === route);
  expect(moved.length).toBeGreaterThan(0);
  for (const u of moved) {
    expect(u.sessionIds, `user ${u.user}`).toHaveLength(2);
    const [old, now] = u.sessionIds as [string, string];
    expect(baseOfSessionId(now)).toBe(baseOfSessionId(old));
    expect(LAB_ROUTES.filter((r) => r !== route)).toContain(routeOfSessionId(now));
  }
  for (const u of report.users.filter((x) => !moved.includes(x))) expect(u.sessionIds).toHaveLength(1);
  return moved;
}
