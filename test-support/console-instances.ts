/**
 * Console instances as separate processes (test-support/multi-console-process.ts runs startConsole in
 * each), for the tests that kill -9 one of several instances on one PostgreSQL. Each instance's stdout
 * lines (JSON, see multi-console-process.ts) are kept in order, so a test waits on what it printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { expect, vi } from "vitest";

const repo = path.resolve(import.meta.dirname, "..");

/** One line an instance printed (multi-console-process.ts lists them). */
export interface TLine {
  ready?: string;
  polled?: number;
  at?: number;
  owned?: string[];
  frame?: string;
  rows?: Array<[string, number, string | null]>;
  drainStarted?: number;
  drained?: string;
  rollout?: number;
  rolloutFailed?: string;
  evacuation?: number;
  evacuationFailed?: string;
  counts?: Array<{ store: string; total: number | null; scannedAt: string | null; scannedBy: string | null }>;
  countsFailed?: string;
  got?: { path: string; status: number; body: unknown };
}

export interface TInstance {
  name: string;
  child: ChildProcess;
  lines: TLine[];
  stderr: string[];
  /** Duties it holds, as it last printed them. */
  owned: string[];
}

/** Starts one instance; `env` adds to (or, with undefined, removes from) the test's environment. */
export function startInstance(name: string, dbUrl: string, env: Record<string, string | undefined>): TInstance {
  // node with tsx as a loader, not the tsx wrapper: killing the wrapper would leave its node child running.
  const child = spawn(process.execPath, ["--import", "tsx", "test-support/multi-console-process.ts"], {
    cwd: repo,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      CLUSTERDECK_INSTANCE_ID: name,
      CLUSTERDECK_ADMIN_PASSWORD: undefined,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const inst: TInstance = { name, child, lines: [], stderr: [], owned: [] };
  readline.createInterface({ input: child.stdout! }).on("line", (text) => {
    try {
      const line = JSON.parse(text) as TLine;
      if (line.owned) inst.owned = line.owned;
      inst.lines.push(line);
    } catch {
      // not one of ours (a library writing to stdout)
    }
  });
  readline.createInterface({ input: child.stderr! }).on("line", (text) => inst.stderr.push(text));
  return inst;
}

/** Resolves once every instance printed ready; else fails with the last lines each wrote on stderr. */
export async function waitReady(instances: readonly TInstance[], timeout: number): Promise<void> {
  await waitFor("instances ready", () => instances.every((i) => i.lines.some((l) => l.ready)), timeout).catch(
    (err: Error) => {
      throw new Error(
        `${err.message}: ${instances.map((i) => `${i.name}: ${i.stderr.slice(-5).join(" | ")}`).join("; ")}`,
      );
    },
  );
}

export function isAlive(i: TInstance): boolean {
  return i.child.exitCode === null && i.child.signalCode === null;
}

/** The value once `fn` gives one (vi.waitFor retries while the callback throws). */
export function waitFor<T>(what: string, fn: () => T | null | undefined | false, timeout: number): Promise<T> {
  return vi.waitFor(() => fn() || expect.fail(`timed out waiting for ${what}`), { timeout, interval: 50 });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

/** kill -9, and wait until the process is gone (its sockets closed by the kernel). */
export async function killNine(i: TInstance): Promise<number> {
  i.child.kill("SIGKILL");
  await exited(i.child);
  return Date.now();
}

/** Every instance killed and waited for (afterAll). */
export async function killAll(instances: readonly TInstance[]): Promise<void> {
  for (const i of instances) if (isAlive(i)) i.child.kill("SIGKILL");
  await Promise.all(instances.map((i) => exited(i.child)));
}

/**
 * What every live instance answers to GET `path` of the REST API with `token` (each asked once, at once,
 * through its stdin verb "get"), by instance name.
 */
export async function getEverywhere(
  instances: readonly TInstance[],
  token: string,
  path: string,
): Promise<Map<string, { status: number; body: unknown }>> {
  const live = instances.filter(isAlive);
  const from = new Map(live.map((i) => [i.name, i.lines.length]));
  for (const i of live) i.child.stdin!.write(`get ${token} ${path}\n`);
  const answers = new Map<string, { status: number; body: unknown }>();
  await waitFor(
    `every instance's answer to ${path}`,
    () => {
      for (const i of live) {
        const got = i.lines.slice(from.get(i.name)).find((l) => l.got?.path === path)?.got;
        if (got) answers.set(i.name, got);
      }
      return answers.size === live.length;
    },
    30_000,
  );
  return answers;
}
