/**
 * Two console instances change members of the same nginx at the same moment (issue 16): each instance is
 * its own process with the edit path as startConsole wires it on PostgreSQL. Both changes must land, one
 * after the other, each checked by its own `nginx -t` of the file that holds it — never two edits of
 * the include file interleaved. A wrapper around nginx -t logs when each validation starts and ends and
 * how many servers were down in the file it validated. Against the lab's real nginx and PostgreSQL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import {
  labNginxOptions,
  labNginxWorkers,
  untilNginxReloaded,
  untilNginxWorkersStartedAfter,
} from "@/test-support/lab/lab-nginx";
import { runCommand } from "./commands";
import { parseUpstreamFile } from "./upstream-file";

const env = loadLabEnv();
const options = labNginxOptions(env);
const repo = path.resolve(import.meta.dirname, "../../../..");
const readFile = () => fs.readFileSync(options.includeFile, "utf8");

type TInstance = { child: ChildProcess; lines: Array<Record<string, unknown>> };

function startInstance(lockUrl: string | undefined, wrapper: string[]): TInstance {
  // node with tsx as a loader, not the tsx wrapper: killing the wrapper would leave its node child running.
  const child = spawn(process.execPath, ["--import", "tsx", "test-support/nginx-edit-process.ts"], {
    cwd: repo,
    env: { ...process.env, LOCK_URL: lockUrl ?? "", TEST_WRAPPER: JSON.stringify(wrapper) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const instance: TInstance = { child, lines: [] };
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      instance.lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  return instance;
}

async function until<T>(what: string, fn: () => T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** New users through nginx (no cookie: nginx hashes a random key) → replies per Tomcat. */
async function spread(n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${labValue(env, "LAB_FRONTEND_D_URL")}/counter`, { headers: { connection: "close" } });
    const node = ((await res.json()) as { node: string }).node;
    counts[node] = (counts[node] ?? 0) + 1;
  }
  return counts;
}

describe("two console instances edit the same nginx at once", () => {
  let original = "";
  let dir = "";
  let log = "";
  let wrapper: string[] = [];
  const instances: TInstance[] = [];

  beforeAll(() => {
    original = readFile();
    expect(parseUpstreamFile(original)[0]!.servers.every((s) => !s.down)).toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-nginx-two-"));
    log = path.join(dir, "validations.log");
    const script = path.join(dir, "logged-test.sh");
    // Half a second inside each validation: two that were not serialized would overlap in the log.
    fs.writeFileSync(
      script,
      [
        "log=$1; file=$2; shift 2",
        'echo "start $$ $(grep -c " down;" "$file")" >> "$log"',
        "sleep 0.5",
        '"$@"; rc=$?',
        'echo "end $$ $(cut -d" " -f1 /proc/uptime)" >> "$log"',
        "exit $rc",
      ].join("\n"),
    );
    wrapper = ["/bin/sh", script, log, options.includeFile];
  });

  afterEach(async () => {
    for (const i of instances.splice(0)) i.child.kill("SIGKILL");
    if (readFile() !== original) {
      const workers = labNginxWorkers(env);
      fs.writeFileSync(options.includeFile, original);
      const reload = await runCommand(options.reloadCommand, 10_000);
      expect(reload.ok, reload.output).toBe(true);
      await untilNginxReloaded(workers, env);
    }
    fs.rmSync(log, { force: true });
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    expect(readFile()).toBe(original);
  });

  /** Both instances started, then both told to go at the same instant; their answers. */
  async function together(lockUrl: string | undefined) {
    const a = startInstance(lockUrl, wrapper);
    const b = startInstance(lockUrl, wrapper);
    instances.push(a, b);
    await until("both instances ready", () =>
      a.lines.some((l) => l.ready) && b.lines.some((l) => l.ready) ? 1 : undefined,
    );
    a.child.stdin!.write("go 1 stopped\n");
    b.child.stdin!.write("go 3 stopped\n");
    const answers = await until("both answers", () => {
      const x = a.lines.find((l) => "done" in l || "error" in l);
      const y = b.lines.find((l) => "done" in l || "error" in l);
      return x && y ? [x, y] : undefined;
    });
    return { answers, validations: fs.readFileSync(log, "utf8").trim().split("\n") };
  }

  it("both changes land, in order, each validated by its own nginx -t; then only tomcat2 takes new users", async () => {
    const { answers, validations } = await together(labValue(env, "LAB_POSTGRES_URL"));
    expect(answers).toStrictEqual([{ done: 1 }, { done: 3 }]);
    // Serialized: start, end, start, end — the second validation saw the first change and its own.
    expect(validations.map((l) => l.split(" ")[0])).toStrictEqual(["start", "end", "start", "end"]);
    expect(validations[0]!.split(" ")[1]).toBe(validations[1]!.split(" ")[1]);
    expect([validations[0]!.split(" ")[2], validations[2]!.split(" ")[2]]).toStrictEqual(["1", "2"]);
    expect(parseUpstreamFile(readFile())[0]!.servers.map((s) => s.down)).toStrictEqual([true, false, true]);
    // The second change's reload came after its validation ended: once nginx serves with workers started
    // since then, the running config is the file with both changes.
    await untilNginxWorkersStartedAfter(Number(validations[3]!.split(" ")[2]), env);
    expect(Object.keys(await spread(20))).toStrictEqual(["tomcat2"]);
  });

  it("without the shared lock (what the PostgreSQL lock prevents) the same two edits' validations overlap", async () => {
    const { validations } = await together(undefined);
    expect(validations.map((l) => l.split(" ")[0]).slice(0, 2)).toStrictEqual(["start", "start"]);
  });
});
