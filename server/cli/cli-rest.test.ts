/**
 * The CLI against the console's real REST handler (trpc-to-openapi over the app router, a throw-away
 * SQLite database), so the fake in cli.test.ts cannot drift from the real wire shapes: ISO dates in
 * the cluster view, error bodies, a frontend that cannot be reached. No lab needed: the frontend's
 * URL is a closed local port, and its poll state is set in-process.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";
import { findClosedPort } from "@/test-support/fault-server";
import { createCluster, createFrontend, createMember } from "@/server/services/inventory/inventory";
import { forgetFrontendLive, setFrontendLive } from "@/server/poller/live-state";
import type { PrismaClient } from "@/generated/prisma/client";
import { SETUP } from "@/test-support/test-context";

const BIN = path.join(import.meta.dirname, "bin.mjs");
const LAST_GOOD = new Date("2026-01-02T03:00:00.000Z");

let db: PrismaClient;
let cleanup: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
let consoleUrl = "";
let jkUrl = "";
let frontendId = 0;
const tokens = { operator: "", viewer: "" };

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  Object.assign(tokens, await createCliTokens(db));

  jkUrl = `http://127.0.0.1:${await findClosedPort()}/jkstatus`;
  const cluster = await createCluster(db, { name: "shop", description: "" }, SETUP);
  for (const name of ["tomcat1", "tomcat2"])
    await createMember(db, cluster.id, { name, route: name, host: "127.0.0.1" }, SETUP);
  const f = await createFrontend(
    db,
    cluster.id,
    {
      name: "apache-mod-jk",
      kind: "mod-jk",
      url: jkUrl,
      balancer: "lb",
      pollIntervalMs: 2000,
      timeoutMs: 1500,
      enabled: true,
    },
    SETUP,
  );
  frontendId = f.id;
  // What the poller would hold after the frontend went away: the last good readings, marked stale.
  const member = (route: string) => ({
    key: route,
    route,
    host: "127.0.0.1",
    port: 8009,
    adminState: "active" as const,
    health: "healthy" as const,
    elected: 5,
    busy: 0,
    errors: 0,
    bytesOut: 0,
    bytesIn: 0,
    loadfactor: 1,
    lbset: 0,
    raw: {},
    rates: null,
  });
  setFrontendLive({
    frontendId,
    clusterId: cluster.id,
    up: false,
    error: `Cannot reach ${jkUrl}: ECONNREFUSED`,
    errorCode: "TARGET_UNREACHABLE",
    lastPollAt: new Date(),
    lastGoodAt: LAST_GOOD,
    durationMs: 3,
    members: [member("tomcat1"), member("tomcat2")],
    stale: true,
    balancerRaw: {},
  });

  api = await serveRestApi(db);
  consoleUrl = api.url;
});

afterAll(async () => {
  forgetFrontendLive(frontendId);
  await api.close();
  await cleanup();
});

/** Async: the console runs in this process, a synchronous spawn would block it. */
function cli(
  args: string[],
  token = tokens.operator,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CLUSTERDECK_URL: consoleUrl, CLUSTERDECK_TOKEN: token };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: os.tmpdir(), env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("clusterdeck against the real REST handler", { timeout: 30_000 }, () => {
  it("status reads the overview and the cluster view (ISO dates, a down frontend)", async () => {
    const all = await cli(["status"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/shop\s+degraded\s+0\/2 healthy\s+0\/1 up\s+0/);

    const one = await cli(["status", "shop"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/tomcat1\s+active\/unknown\?\s+active\s+unknown/);
    expect(one.stdout).toContain(
      `apache-mod-jk: Cannot reach ${jkUrl}: ECONNREFUSED (last good poll ${LAST_GOOD.toISOString()})`,
    );
  });

  it("an action on an unreachable frontend exits 5; then the guard rail exits 2 until --force", async () => {
    const drained = await cli(["drain", "tomcat1", "--json"]);
    expect(drained.code).toBe(5);
    const doc = JSON.parse(drained.stdout);
    expect(doc).toMatchObject({ cluster: "shop", member: "tomcat1", action: "member.drain", overall: "failed" });
    expect(doc.frontends[0]).toMatchObject({ frontend: "apache-mod-jk", outcome: "failed" });
    expect(drained.stderr).toMatch(new RegExp(`apache-mod-jk\\s+FAILED\\s+.*${jkUrl.replace(/[.:/]/g, "\\$&")}`));

    // tomcat1's intent is now "draining", so draining tomcat2 would leave no active member.
    const refused = await cli(["drain", "tomcat2"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("no member of shop would be active");
    expect(refused.stderr).toContain("use --force");
    expect((await cli(["drain", "tomcat2", "--force"])).code).toBe(5);
  });

  it("404, 403 and a weight the server checks", async () => {
    const unknown = await cli(["weight", "nosuch", "5", "--cluster", "shop"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No member "nosuch"');
    const viewer = await cli(["enable", "tomcat1"], tokens.viewer);
    expect(viewer.code).toBe(3);
    expect(viewer.stderr).toContain("operator role");
    expect((await cli(["weight", "tomcat1", "5"])).code).toBe(5);
  });
});
