/**
 * The real `clusterdeck` binary (node server/cli/bin.mjs, a child process started from another cwd)
 * against a small in-process fake of the console's REST API: stdout JSON, stderr messages and every
 * exit code. The fake answers from counters, never from clocks, so nothing depends on timing luck.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findClosedPort } from "@/test-support/fault-server";
import type { TAdminState } from "@/server/domain/member-state";
import { STATE_VERBS, type TStateVerb } from "@/server/domain/member-verbs";

const BIN = path.join(import.meta.dirname, "bin.mjs");
const TOKEN = "cdk_test_operator";
const VIEWER_TOKEN = "cdk_test_viewer";
const CHILD_TIMEOUT_MS = 20_000;

const FRONTENDS = [
  {
    id: 1,
    name: "apache-balancer",
    kind: "apache-balancer",
    kindLabel: "balancer-manager",
    url: "http://127.0.0.1:8081/balancer-manager",
  },
  { id: 2, name: "apache-mod-jk", kind: "mod-jk", kindLabel: "mod_jk status", url: "http://127.0.0.1:8082/jkstatus" },
];
const MEMBERS = ["node1", "node2", "node-partial", "node-down", "node-last", "node-stuck"];

/** mod_jk has no separate disabled state: it reads back as stopped (the console marks it not drifted). */
const shownAs = (frontendId: number, s: TAdminState): TAdminState =>
  frontendId === 2 && s === "disabled" ? "stopped" : s;

interface TMemberState {
  intended: TAdminState;
  weight: number;
  shown: Record<number, { state: TAdminState; weight: number }>;
  /** Views still served with the old reading after an action (the console's poll lags the action). */
  lag: number;
}

interface TRecorded {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

function createFakeConsole(clusters: string[]) {
  const requests: TRecorded[] = [];
  let members = new Map<string, TMemberState>();
  let pending = new Map<string, { state: TAdminState; weight: number }>();
  const reset = () => {
    members = new Map(
      MEMBERS.map((m) => [
        m,
        {
          intended: "active",
          weight: 1,
          shown: { 1: { state: "active", weight: 1 }, 2: { state: "active", weight: 1 } },
          lag: 0,
        },
      ]),
    );
    pending = new Map();
    requests.length = 0;
  };
  reset();

  const frontendResult = (
    f: (typeof FRONTENDS)[number],
    outcome: string,
    message: string | null,
    state: TAdminState | null,
    weight: number,
  ) => ({
    frontendId: f.id,
    frontend: f.name,
    kind: f.kind,
    outcome,
    message,
    observed: state ? { adminState: state, loadfactor: weight } : null,
    durationMs: 12,
  });

  function act(cluster: string, member: string, verb: string, body: { force?: boolean; weight?: number }) {
    const m = members.get(member)!;
    const target = verb === "weight" ? m.intended : STATE_VERBS[verb as TStateVerb];
    const weight = verb === "weight" ? body.weight! : m.weight;
    if (member === "node-last" && target !== "active" && !body.force) {
      return {
        status: 409,
        body: {
          message: `Refused: after this, no member of ${cluster} would be active and healthy to take new sessions. Enable another member first, or force it.`,
          code: "CONFLICT",
        },
      };
    }
    const action = verb === "weight" ? "member.setWeight" : `member.${verb}`;
    m.intended = target;
    m.weight = weight;
    let frontends;
    if (member === "node-down") {
      frontends = FRONTENDS.map((f) => frontendResult(f, "failed", `Cannot reach ${f.url}: ECONNREFUSED`, null, 0));
    } else if (member === "node-partial") {
      frontends = [
        frontendResult(FRONTENDS[0]!, "done", null, target, weight),
        frontendResult(FRONTENDS[1]!, "failed", "Cannot reach http://127.0.0.1:1/jkstatus: ECONNREFUSED", null, 0),
      ];
      m.shown[1] = { state: target, weight };
    } else {
      frontends = FRONTENDS.map((f) => frontendResult(f, "done", null, shownAs(f.id, target), weight));
      // node-stuck: the frontends confirmed, but the console's polls never show it (for --wait timeouts).
      if (member !== "node-stuck") {
        pending.set(member, { state: target, weight });
        m.lag = 1;
      }
    }
    const confirmed = frontends.filter((f) => f.outcome === "done").length;
    const overall = confirmed === frontends.length ? "done" : confirmed > 0 ? "partial" : "failed";
    return { status: 200, body: { cluster, member, action, overall, frontends, auditId: 40 + requests.length } };
  }

  function view(cluster: string) {
    for (const [name, m] of members) {
      const next = pending.get(name);
      if (!next) continue;
      if (m.lag > 0) m.lag--;
      else {
        for (const f of FRONTENDS) m.shown[f.id] = { state: shownAs(f.id, next.state), weight: next.weight };
        pending.delete(name);
      }
    }
    const down = cluster === "intranet";
    return {
      cluster: { id: 1, name: cluster, description: "", autoReapply: false },
      frontends: FRONTENDS.map((f, i) => ({
        ...f,
        balancer: "shop",
        pollIntervalMs: 2000,
        enabled: true,
        up: !(down && i === 1),
        error: down && i === 1 ? "Cannot reach http://127.0.0.1:8082/jkstatus: ECONNREFUSED" : null,
        errorCode: down && i === 1 ? "TARGET_UNREACHABLE" : null,
        lastPollAt: "2026-01-02T03:04:05.000Z",
        lastGoodAt: "2026-01-02T03:00:00.000Z",
        durationMs: 4,
        adminStates: ["active", "draining", "disabled", "stopped"],
      })),
      members: [...members].map(([name, m]) => {
        const states = FRONTENDS.map((f, i) => {
          const shown = m.shown[f.id]!;
          const stale = down && i === 1;
          const drifted = !stale && (shown.state !== shownAs(f.id, m.intended) || shown.weight !== m.weight);
          return {
            frontendId: f.id,
            key: `route=${name}`,
            adminState: shown.state,
            health: stale ? "unknown" : "healthy",
            busy: 0,
            elected: 3,
            errors: 0,
            loadfactor: shown.weight,
            lbset: 0,
            requestsPerSec: null,
            bytesPerSec: null,
            errorsPerSec: null,
            stale,
            drifted,
          };
        });
        const drift = states.some((s) => s.drifted);
        return {
          key: `id:${name}`,
          memberId: 1,
          name,
          route: name,
          host: null,
          intendedState: m.intended,
          intendedWeight: m.weight,
          drift,
          states,
          disagreement: false,
          health: "healthy",
        };
      }),
      health: down ? "degraded" : "healthy",
    };
  }

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      const auth = req.headers.authorization;
      if (auth !== `Bearer ${TOKEN}` && auth !== `Bearer ${VIEWER_TOKEN}`)
        return send(401, {
          message: "Sign in, or send an API token as 'Authorization: Bearer cdk_…'",
          code: "UNAUTHORIZED",
        });
      const parts = (req.url ?? "").split("?")[0]!.split("/").filter(Boolean).map(decodeURIComponent); // api v1 clusters …
      if (req.method === "GET" && parts.length === 3) {
        return send(
          200,
          clusters.map((name, i) => ({
            id: i + 1,
            name,
            description: "",
            health: name === "intranet" ? "degraded" : "healthy",
            members: 6,
            healthyMembers: 6,
            frontends: 2,
            frontendsUp: name === "intranet" ? 1 : 2,
            disagreements: 0,
            drifted: name === "intranet" ? 1 : 0,
          })),
        );
      }
      const cluster = parts[3] ?? "";
      if (!clusters.includes(cluster))
        return send(404, { message: `No cluster named "${cluster}"`, code: "NOT_FOUND" });
      if (req.method === "GET" && parts.length === 4) return send(200, view(cluster));
      if (req.method === "POST" && parts.length === 7 && parts[4] === "members") {
        if (auth === `Bearer ${VIEWER_TOKEN}`)
          return send(403, { message: "This needs the operator role; you are viewer", code: "FORBIDDEN" });
        const member = parts[5]!;
        if (!members.has(member))
          return send(404, {
            message: `No member "${member}" in cluster "${cluster}" (members: ${MEMBERS.join(", ")})`,
            code: "NOT_FOUND",
          });
        const out = act(cluster, member, parts[6]!, body ?? {});
        return send(out.status, out.body);
      }
      send(404, { message: "Not found", code: "NOT_FOUND" });
    });
  });

  return {
    requests,
    reset,
    url: "",
    async start() {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface TRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Async on purpose: the fake console lives in this process, so a synchronous spawn would deadlock. */
function runCli(args: string[], env: Record<string, string | undefined>): Promise<TRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.CLUSTERDECK_URL;
  delete childEnv.CLUSTERDECK_TOKEN;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: os.tmpdir(),
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const single = createFakeConsole(["shop"]);
const multi = createFakeConsole(["shop", "intranet"]);
const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { CLUSTERDECK_URL: single.url, CLUSTERDECK_TOKEN: TOKEN, ...env });

beforeAll(async () => {
  await single.start();
  await multi.start();
});
afterAll(async () => {
  await single.close();
  await multi.close();
});
beforeEach(() => {
  single.reset();
  multi.reset();
});

describe("clusterdeck CLI", { timeout: 30_000 }, () => {
  it("--help works from another cwd and documents the exit codes", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: clusterdeck");
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*0 {2}done[\s\S]*5 {2}the action failed on every frontend/);
  });

  it("exit 0: drain done on every frontend, --json prints only the result on stdout", async () => {
    const r = await cli(["drain", "node1", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ cluster: "shop", member: "node1", action: "member.drain", overall: "done" });
    expect(doc.frontends.map((f: { outcome: string }) => f.outcome)).toEqual(["done", "done"]);
    expect(doc).not.toHaveProperty("waited");
    expect(r.stderr).toMatch(/apache-balancer\s+done\s+draining/);
    // The only cluster is used without --cluster; the body and the token travel as documented.
    const post = single.requests.find((q) => q.method === "POST")!;
    expect(post).toMatchObject({
      url: "/api/v1/clusters/shop/members/node1/drain",
      auth: `Bearer ${TOKEN}`,
      body: { force: false },
    });
  });

  it("exit 0 with --wait: polls the cluster view until mod_jk shows disabled as stopped", async () => {
    const r = await cli(["disable", "node2", "--cluster", "shop", "--wait", "--timeout", "15", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.overall).toBe("done");
    expect(doc.waited).toMatchObject({ confirmed: true, timedOut: false });
    expect(doc.waited.polls).toBeGreaterThanOrEqual(2); // the first view still lagged behind the action
    expect(doc.waited.frontends).toEqual([
      expect.objectContaining({ frontend: "apache-balancer", adminState: "disabled", confirmed: true }),
      expect.objectContaining({ frontend: "apache-mod-jk", adminState: "stopped", drifted: false, confirmed: true }),
    ]);
    expect(r.stderr).toContain("waiting up to 15 s");
  });

  it("exit 0: weight with --wait, human output on stdout", async () => {
    const r = await cli(["weight", "node1", "7", "--wait", "--timeout", "15"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/apache-mod-jk\s+done\s+weight 7/);
    expect(r.stdout).toMatch(/apache-mod-jk\s+confirmed\s+active, weight 7/);
    expect(r.stdout).toContain("console shows weight 7 after");
    expect(single.requests.find((q) => q.method === "POST")!.body).toEqual({ weight: 7 });
  });

  it("exit 1: partial, one frontend failed", async () => {
    const r = await cli(["drain", "node-partial"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/apache-balancer\s+done\s+draining/);
    expect(r.stdout).toMatch(/apache-mod-jk\s+FAILED\s+Cannot reach http:\/\/127\.0\.0\.1:1\/jkstatus: ECONNREFUSED/);
    expect(r.stdout).toMatch(/PARTIAL: 1 of 2 frontends confirmed draining; not confirmed: apache-mod-jk/);
  });

  it("exit 1: partial with --json still prints one parseable document", async () => {
    const r = await cli(["stop", "node-partial", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      overall: "partial",
      frontends: [{ outcome: "done" }, { outcome: "failed" }],
    });
  });

  it("exit 1: done on the frontends but --wait times out", async () => {
    const r = await cli(["drain", "node-stuck", "--wait", "--timeout", "1.5", "--json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.overall).toBe("done");
    expect(doc.waited).toMatchObject({ confirmed: false, timedOut: true });
    expect(doc.waited.frontends.every((f: { confirmed: boolean }) => !f.confirmed)).toBe(true);
    expect(r.stderr).toContain("TIMED OUT");
  });

  it("exit 2: guard rail 409 says use --force, and --force gets through", async () => {
    const refused = await cli(["drain", "node-last"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Refused: after this, no member of shop would be active");
    expect(refused.stderr).toContain("use --force");
    expect(refused.stdout).toBe("");

    const forced = await cli(["drain", "node-last", "--force"]);
    expect(forced.code).toBe(0);
    expect(single.requests.filter((q) => q.method === "POST").map((q) => q.body)).toEqual([
      { force: false },
      { force: true },
    ]);
  });

  it("exit 2: unknown member (404), with --json an error document", async () => {
    const r = await cli(["enable", "nope", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No member "nope" in cluster "shop"');
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: 2, code: "NOT_FOUND" } });
  });

  it("exit 2: several clusters and no --cluster lists them", async () => {
    const r = await cli(["drain", "node1"], { CLUSTERDECK_URL: multi.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--cluster NAME: shop, intranet");
    expect(multi.requests.some((q) => q.method === "POST")).toBe(false);
  });

  it("exit 2: bad arguments never reach the console", async () => {
    for (const args of [
      ["weight", "node1", "0"],
      ["weight", "node1", "2.5"],
      ["drain", "node1", "--timeout", "soon"],
      ["bogus"],
      [],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
    }
    expect(single.requests).toEqual([]);
  });

  it("exit 3: no token says how to get one; 401 and 403 from the console", async () => {
    const none = await cli(["drain", "node1"], { CLUSTERDECK_TOKEN: "" });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("No API token given");
    expect(none.stderr).toContain("Tokens page");
    expect(none.stderr).toContain("CLUSTERDECK_TOKEN");

    const rejected = await cli(["--token", "cdk_revoked", "drain", "node1"]);
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toContain("Authorization: Bearer cdk_");

    const viewer = await cli(["drain", "node1", "--json"], { CLUSTERDECK_TOKEN: VIEWER_TOKEN });
    expect(viewer.code).toBe(3);
    expect(JSON.parse(viewer.stdout)).toMatchObject({ error: { exitCode: 3, code: "FORBIDDEN" } });
  });

  it("exit 4: nothing listens at the console URL, and the message names it", async () => {
    const url = `http://127.0.0.1:${await findClosedPort()}`;
    const r = await cli(["drain", "node1", "--cluster", "shop"], { CLUSTERDECK_URL: url });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`Cannot reach the console at ${url}: ECONNREFUSED`);
  });

  it("exit 5: the action failed on every frontend (and --wait does not wait)", async () => {
    const r = await cli(["drain", "node-down", "--wait", "--json"]);
    expect(r.code).toBe(5);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ overall: "failed", waited: null });
    expect(r.stderr).toContain("FAILED: no frontend confirmed draining for node-down");
    expect(single.requests.filter((q) => q.method === "GET" && q.url === "/api/v1/clusters/shop")).toEqual([]);
  });

  it("status: one line per cluster, then one cluster's members × frontends with a down frontend", async () => {
    const all = await cli(["status"], { CLUSTERDECK_URL: multi.url });
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/shop\s+healthy\s+6\/6 healthy\s+2\/2 up\s+0/);
    expect(all.stdout).toMatch(/intranet\s+degraded\s+6\/6 healthy\s+1\/2 up\s+1/);

    const one = await cli(["status", "intranet"], { CLUSTERDECK_URL: multi.url });
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/MEMBER\s+apache-balancer\s+apache-mod-jk\s+INTENDED/);
    expect(one.stdout).toMatch(/node1\s+active\/healthy\s+active\/unknown\?/);
    expect(one.stdout).toMatch(/apache-mod-jk\s+mod_jk status\s+DOWN \(TARGET_UNREACHABLE\)/);
    expect(one.stdout).toContain(
      "apache-mod-jk: Cannot reach http://127.0.0.1:8082/jkstatus: ECONNREFUSED (last good poll 2026-01-02T03:00:00.000Z)",
    );

    const missing = await cli(["status", "nowhere"]);
    expect(missing.code).toBe(2);
  });
});
