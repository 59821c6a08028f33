import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { labValue, loadLabEnv } from "./lab-env";
import type { TFrontendRow } from "../../server/services/frontends/read-frontend";

/**
 * The nginx frontend's options as the lab inventory gives them (render.sh): the include file the lab
 * wrote, and nginx's own -t / -s reload on the lab's prefix and config, as argv (no shell).
 */
export function labNginxOptions(env = loadLabEnv()) {
  const nginx = [
    labValue(env, "LAB_NGINX_BIN"),
    "-p",
    labValue(env, "LAB_NGINX_PREFIX"),
    "-c",
    labValue(env, "LAB_NGINX_CONF"),
  ];
  return {
    includeFile: labValue(env, "LAB_NGINX_INCLUDE"),
    testCommand: [...nginx, "-t"],
    reloadCommand: [...nginx, "-s", "reload"],
    stubStatusUrl: labValue(env, "LAB_NGINX_STATUS_URL"),
    probePath: "/app/health",
  };
}

export function labNginxRow(env = loadLabEnv(), options: Record<string, unknown> = labNginxOptions(env)): TFrontendRow {
  return {
    kind: "nginx",
    url: labValue(env, "LAB_NGINX_STATUS_URL"),
    balancer: labValue(env, "LAB_NGINX_UPSTREAM"),
    username: null,
    password: null,
    timeoutMs: 3000,
    options: JSON.stringify(options),
  };
}

/** The lab nginx master's pid, from the `pid` line of the lab's nginx.conf. */
function labNginxMasterPid(env = loadLabEnv()): number {
  const conf = fs.readFileSync(labValue(env, "LAB_NGINX_CONF"), "utf8");
  const pidFile = /^\s*pid\s+(\S+);/m.exec(conf)?.[1];
  if (!pidFile) throw new Error("the lab's nginx.conf has no pid line");
  return Number(fs.readFileSync(pidFile, "utf8").trim());
}

/** Pids of the lab nginx's worker processes (children of its master), from /proc. */
export function labNginxWorkers(env = loadLabEnv()): Set<number> {
  const master = labNginxMasterPid(env);
  const workers = new Set<number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === master) workers.add(Number(entry));
  }
  return workers;
}

/**
 * `nginx -s reload` only signals the master: the new config serves once new workers run and the old
 * ones, which keep accepting until the master tells them to quit, have exited. Wait for exactly that,
 * so what a test sends afterwards meets the new config and nothing else (under load this takes a while).
 */
export async function untilNginxReloaded(before: Set<number>, env = loadLabEnv(), ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = labNginxWorkers(env);
    if (now.size > 0 && [...now].every((pid) => !before.has(pid))) return;
    if (Date.now() > deadline)
      throw new Error(
        `nginx did not finish its reload in ${ms} ms: workers ${[...now].join(",")} (before ${[...before].join(",")})`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until every lab nginx worker was started at or after `uptimeSec` (seconds since boot, as
 * /proc/uptime says): after back-to-back reloads, the workers of the last one only. A worker's start
 * time is field 22 of /proc/<pid>/stat, in clock ticks since boot.
 */
export async function untilNginxWorkersStartedAfter(uptimeSec: number, env = loadLabEnv(), ms = 15_000): Promise<void> {
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const startedAt = (pid: number) => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]) / ticks;
  };
  const deadline = Date.now() + ms;
  for (;;) {
    const workers = [...labNginxWorkers(env)];
    try {
      // One clock tick of slack: /proc/uptime is read with two decimals.
      if (workers.length > 0 && workers.every((pid) => startedAt(pid) >= uptimeSec - 1 / ticks)) return;
    } catch {
      // a worker exited between the listing and the read: look again
    }
    if (Date.now() > deadline)
      throw new Error(`nginx workers ${workers.join(",")} still older than ${uptimeSec} s after boot`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
