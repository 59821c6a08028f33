import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const REPO_DIR = path.resolve(import.meta.dirname, "../..");

/** Where the lab keeps its state: $LAB_DIR, else <repo>/.lab (as lab.sh decides). */
export function labDir(): string {
  return process.env.LAB_DIR ?? path.join(REPO_DIR, ".lab");
}

/** The lab's settings as `lab.sh up` wrote them to $LAB_DIR/lab.env (ports, URLs, inventory path). */
export function loadLabEnv(): Record<string, string> {
  const file = path.join(labDir(), "lab.env");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: start the lab first with "bash e2e/lab/lab.sh up"`);
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

export function labValue(env: Record<string, string>, key: string): string {
  const v = env[key];
  if (v === undefined) throw new Error(`lab.env has no ${key}`);
  return v;
}

/** Runs `lab.sh <args>` (kill-member, start-member, restart-frontend …) and returns its output. */
export async function labCommand(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run("bash", [path.join(REPO_DIR, "e2e/lab/lab.sh"), ...args], { timeout: 180_000 });
  return stdout + stderr;
}
