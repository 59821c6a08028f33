/**
 * Kill the console during an evacuation of 100,000 sessions and start it again: the operation resumes
 * from the journal and finishes, its report is exact, and a full scan finds every session afterwards
 * (primary on the evacuated node, and now its backup pair on the next one).
 *
 * The console is a real separate process (test-support/console-process.ts runs the console's
 * start-up: startConsole), killed with SIGKILL — no chance to clean up, as in a crash.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labStoreEndpoints, type TSeedTruth } from "@/e2e/lab/seed-sessions";
import { seedMsmEvacuation } from "@/test-support/msm-evacuation-seed";
import { enumerateMemcachedKeyBatches } from "@/server/adapters/stores/memcached-msm/enumerate";
import { createTestDb } from "@/test-support/test-db";
import type { PrismaClient } from "@/generated/prisma/client";

const ep = labStoreEndpoints();
const repo = path.resolve(import.meta.dirname, "../../..");

function startConsoleProcess(dbUrl: string, args: string[]): ChildProcess {
  // node itself with tsx as a loader, not the tsx wrapper: killing the wrapper would leave its node child running.
  return spawn(process.execPath, ["--import", "tsx", "test-support/console-process.ts", ...args], {
    cwd: repo,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      CLUSTERDECK_POLLER: "0",
      CLUSTERDECK_SESSION_SCAN_INTERVAL_S: "0",
      CLUSTERDECK_INVENTORY: "",
      CLUSTERDECK_ADMIN_PASSWORD: "crash-test-password",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a console crash during an evacuation of 100,000 sessions", () => {
  let db: PrismaClient;
  let url: string;
  let cleanup: () => Promise<void>;
  let truth: TSeedTruth;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ({ db, url, cleanup } = await createTestDb());
    truth = await seedMsmEvacuation(db);
  }, 300_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await cleanup();
  });

  it("resumes from the journal after SIGKILL and finishes with an exact report; a full scan finds every session", async () => {
    expect(truth.sessionsPerNode.n1).toBe(100_000);
    const first = startConsoleProcess(url, ["evacuate", "lab", "msm", "n1"]);
    children.push(first);
    let stderr = "";
    first.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const op = await waitFor(
      "the evacuation to start",
      () => db.operation.findFirst({ where: { kind: "store.evacuate-node" } }),
      60_000,
    );
    // Let it copy a good part, then kill it mid-run.
    const before = await waitFor(
      "progress past 20%",
      async () => {
        const o = await db.operation.findUnique({ where: { id: op.id } });
        return o && o.total === 100_000 && o.processed >= 20_000 ? o : null;
      },
      240_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; console stderr: ${stderr.slice(-2000)}`);
    });
    first.kill("SIGKILL");
    expect((await exited(first)).signal).toBe("SIGKILL");
    const atCrash = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
    expect(atCrash.state).toBe("running"); // the journal says where it stood: unfinished
    expect(atCrash.processed).toBeGreaterThanOrEqual(before.processed);
    expect(atCrash.processed).toBeLessThan(100_000);
    expect(atCrash.attempts).toBe(1);

    // A new console process: its start-up finds the open operation and runs it again to the end.
    const second = startConsoleProcess(url, []);
    children.push(second);
    let out = "";
    second.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    // It exits by itself once nothing is left open; if resume never ran the operation, it would not.
    const killer = setTimeout(() => second.kill("SIGKILL"), 240_000);
    const end = await exited(second);
    clearTimeout(killer);
    expect(end.code, `second console: ${out}`).toBe(0);
    expect(out).toContain('"idle":true');

    const done = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
    expect(done).toMatchObject({ state: "done", attempts: 2, total: 100_000, processed: 100_000, failedCount: 0 });
    // Sessions copied before the crash are found already safe on the second pass: together, every one.
    expect(done.changed + done.alreadyOk).toBe(100_000);
    expect(done.alreadyOk).toBeGreaterThanOrEqual(atCrash.processed - 200); // a batch in flight at the kill may be redone
    expect(done.message).toMatch(/safe to take down/);

    // Full scan of both nodes: every seeded session is there at least once, and n1's now twice.
    const primaries = new Set<string>();
    const backups = new Set<string>();
    for await (const batch of enumerateMemcachedKeyBatches(ep.memcached)) {
      for (const k of batch) {
        if (k.key.startsWith("bak:validity:") || k.key.startsWith("validity:")) continue;
        if (k.key.startsWith("bak:")) backups.add(k.key.slice(4));
        else primaries.add(k.key);
      }
    }
    const missing = truth.ids!.filter((id) => !primaries.has(id) && !backups.has(id));
    expect(missing).toEqual([]);
    const n1WithoutBackup = truth.ids!.filter((id) => id.includes("-n1.") && !backups.has(id));
    expect(n1WithoutBackup).toEqual([]);
  }, 600_000);
});
