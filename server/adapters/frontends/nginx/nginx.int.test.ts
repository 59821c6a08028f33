/**
 * The nginx adapter against the lab's real nginx (frontend D) and the three Tomcats behind it: every
 * supported verb checked by reading the live include file and by sending traffic through nginx.
 * Start the lab first: bash e2e/lab/lab.sh up. Every test puts the lab's file back (and reloads).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labNginxOptions, labNginxRow, labNginxWorkers, untilNginxReloaded } from "@/test-support/lab/lab-nginx";
import { getFrontendAdapter } from "@/server/adapters/registry";
import { readBalancer, toTarget } from "@/server/services/frontends/read-frontend";
import type { TAdminState } from "@/server/domain/member-state";
import { AppError } from "@/server/errors";
import { runCommand } from "./commands";
import { parseUpstreamFile } from "./upstream-file";

const env = loadLabEnv();
const options = labNginxOptions(env);
const row = labNginxRow(env, options);
const adapter = getFrontendAdapter("nginx");
const counterUrl = `${labValue(env, "LAB_FRONTEND_D_URL")}/counter`;
const address = (n: number) => `127.0.0.1:${labValue(env, `LAB_TOMCAT${n}_HTTP_PORT`)}`;
const readFile = () => fs.readFileSync(options.includeFile, "utf8");
let original = "";

async function setState(n: number, state: TAdminState, opts: Record<string, unknown> = options): Promise<void> {
  const r = labNginxRow(env, opts);
  const workers = labNginxWorkers(env);
  await adapter.setAdminState(toTarget(r), await readBalancer(r), address(n), state); // a refusal reloads nothing
  await untilNginxReloaded(workers, env);
}

/**
 * One request as a new user. No keep-alive: a reload by the previous step closes idle pooled connections.
 * A connection reset before any answer (nginx's reload does that to one being accepted at that instant,
 * see e2e/lab/traffic.ts) is sent once more, as a browser would: what is measured here is the spread.
 */
async function newUserRequest(retried = false): Promise<Response> {
  try {
    return await fetch(counterUrl, { headers: { connection: "close" }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (retried || (code !== "ECONNRESET" && code !== "UND_ERR_SOCKET")) throw err;
    return newUserRequest(true);
  }
}

/** n requests without a cookie (new users: nginx hashes a random key) → replies per node. */
async function spread(n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await newUserRequest();
      expect(res.status).toBe(200);
      const node = ((await res.json()) as { node: string }).node;
      counts[node] = (counts[node] ?? 0) + 1;
    }),
  );
  return counts;
}

/** Wait until a batch of requests matches (a spread is random: one batch can miss a server by chance). */
async function eventually(batch: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await batch()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`after ${ms} ms still not: ${what}`);
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected the change to be refused");
}

describe("nginx adapter against the lab's nginx", () => {
  beforeAll(() => {
    original = readFile();
    expect(parseUpstreamFile(original)[0]!.servers.every((s) => !s.down && s.weight === 1)).toBe(true);
  });

  afterEach(async () => {
    if (readFile() !== original) {
      fs.writeFileSync(options.includeFile, original);
      const workers = labNginxWorkers(env);
      const reload = await runCommand(options.reloadCommand, 10_000);
      expect(reload.ok, reload.output).toBe(true);
      await untilNginxReloaded(workers, env);
    }
  });

  afterAll(() => {
    expect(readFile()).toBe(original);
  });

  it("reads the upstream from the live include file, health from its own probes, counters from stub_status", async () => {
    const before = await readBalancer(row);
    expect(before.name).toBe("tomcats");
    expect(before.members.map((m) => [m.key, m.port, m.adminState, m.health, m.loadfactor])).toStrictEqual(
      [1, 2, 3].map((n) => [address(n), Number(labValue(env, `LAB_TOMCAT${n}_HTTP_PORT`)), "active", "healthy", 1]),
    );
    expect(before.raw.method).toBe("hash $lab_sticky_key consistent");
    expect(before.members[0]!.raw.probe).toMatch(/^HTTP 200 in \d+ ms$/);
    await spread(5);
    const after = await readBalancer(row);
    // Our own 5 requests plus the two stub_status reads at least.
    expect(Number(after.raw["stub_status.requests"])).toBeGreaterThanOrEqual(
      Number(before.raw["stub_status.requests"]) + 6,
    );
  });

  it("stop marks the server down in the file; after the reload it gets no requests; enable brings it back", async () => {
    expect((await spread(60)).tomcat2 ?? 0).toBeGreaterThan(0);

    await setState(2, "stopped");
    expect(readFile()).toBe(
      original.replace(
        `server ${address(2)} max_fails=1 fail_timeout=5s;`,
        `server ${address(2)} max_fails=1 fail_timeout=5s down;`,
      ),
    );
    expect(fs.readFileSync(`${options.includeFile}.previous`, "utf8")).toBe(original);
    expect((await readBalancer(row)).members.map((m) => m.adminState)).toStrictEqual(["active", "stopped", "active"]);
    // The reload has finished (setState waited for nginx's old worker to exit): no new user reaches tomcat2.
    const counts = await spread(90);
    // Should it fail: what nginx said and what the file held then, to tell a late reload from a rewrite.
    const errorLog = path.join(labValue(env, "LAB_NGINX_PREFIX"), "logs", "error.log");
    const why = () =>
      `file:\n${readFile()}\nnginx error.log:\n${fs.readFileSync(errorLog, "utf8").split("\n").slice(-15).join("\n")}`;
    expect(counts.tomcat2, why()).toBeUndefined();
    expect(counts.tomcat1).toBeGreaterThan(0);
    expect(counts.tomcat3).toBeGreaterThan(0);

    await setState(2, "active");
    expect(readFile()).toBe(original);
    await eventually(async () => ((await spread(30)).tomcat2 ?? 0) > 0, "tomcat2 back in rotation");
  });

  it("disabled is the same `down` line and reads back as stopped", async () => {
    await setState(3, "disabled");
    const m = (await readBalancer(row)).members.find((x) => x.key === address(3))!;
    expect([m.adminState, m.raw.down, adapter.observedStateFor("disabled")]).toStrictEqual([
      "stopped",
      "true",
      "stopped",
    ]);
    await eventually(async () => (await spread(20)).tomcat3 === undefined, "tomcat3 out of rotation");
  });

  it("weight is rewritten in place, and the heavier server takes the larger share of new users", async () => {
    const r = row;
    const workers = labNginxWorkers(env);
    await adapter.setWeight(toTarget(r), await readBalancer(r), address(1), 4);
    await untilNginxReloaded(workers, env);
    expect(readFile()).toContain(`server ${address(1)} weight=4 max_fails=1 fail_timeout=5s;`);
    expect((await readBalancer(r)).members.map((m) => m.loadfactor)).toStrictEqual([4, 1, 1]);
    // 4:1:1 → about 2/3 of new users on tomcat1; wait for the reload, then count a fresh batch.
    await eventually(async () => {
      const c = await spread(90);
      return (c.tomcat1 ?? 0) > 2 * Math.max(c.tomcat2 ?? 0, c.tomcat3 ?? 0);
    }, "tomcat1 taking most new users at weight 4");
    await expect(adapter.setWeight(toTarget(r), await readBalancer(r), address(1), 0)).rejects.toThrow(
      /whole number from 1 to 100/,
    );
  });

  it("draining is not offered (and says why); standby is refused under hash before anything is written, as nginx -t would", async () => {
    expect(adapter.capabilities.adminStates).not.toContain("draining");
    expect(adapter.observedStateFor("draining")).toBeNull();
    expect(adapter.capabilities.notes?.draining).toMatch(/no drain that keeps sticky sessions/);
    fs.rmSync(`${options.includeFile}.previous`, { force: true });

    const err = await rejection(setState(1, "standby"));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(/does not support parameter "backup"/);
    expect(readFile()).toBe(original);
    expect(fs.existsSync(`${options.includeFile}.previous`)).toBe(false);

    // The claim checked against this nginx: the lab's config with one backup server fails nginx -t.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-nginx-"));
    try {
      const upstream = path.join(dir, "upstream.conf");
      fs.writeFileSync(upstream, original.replace(`server ${address(1)} `, `server ${address(1)} backup `));
      const conf = path.join(dir, "nginx.conf");
      fs.writeFileSync(
        conf,
        fs
          .readFileSync(labValue(env, "LAB_NGINX_CONF"), "utf8")
          .replace(`include ${options.includeFile};`, `include ${upstream};`),
      );
      const test = await runCommand(
        [labValue(env, "LAB_NGINX_BIN"), "-p", labValue(env, "LAB_NGINX_PREFIX"), "-c", conf, "-t"],
        10_000,
      );
      expect(test.ok).toBe(false);
      expect(test.output).toMatch(/balancing method does not support parameter "backup"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a change nginx -t refuses leaves the file and the running config as they were and reports nginx's message", async () => {
    // A real nginx -t failure: the lab's config plus a directive nginx does not know.
    const failing = {
      ...options,
      testCommand: [...options.testCommand.slice(0, -1), "-g", "clusterdeck_no_such_directive on;", "-t"],
    };
    const err = await rejection(setState(2, "stopped", failing));
    expect(err.message).toMatch(
      /nginx refused the change, the previous file is back in place and nothing was reloaded/,
    );
    expect(err.message).toMatch(/unknown directive "clusterdeck_no_such_directive"/);
    expect(err.message).toMatch(/test failed/);
    expect(readFile()).toBe(original);
    // Running config untouched: tomcat2 still takes new users.
    expect((await spread(60)).tomcat2 ?? 0).toBeGreaterThan(0);
  });

  it("a reload that fails puts the previous file back", async () => {
    const err = await rejection(setState(2, "stopped", { ...options, reloadCommand: ["/bin/false"] }));
    expect(err.message).toMatch(/reload failed, so the previous file is back in place/);
    expect(readFile()).toBe(original);
  });

  it("two changes at once on the same file both land (edits are serialized)", async () => {
    await Promise.all([setState(1, "stopped"), setState(3, "stopped")]);
    expect(parseUpstreamFile(readFile())[0]!.servers.map((s) => s.down)).toStrictEqual([true, false, true]);
    await eventually(async () => Object.keys(await spread(30)).join() === "tomcat2", "only tomcat2 in rotation");
  });
});
