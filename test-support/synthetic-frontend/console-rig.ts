import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTestDb } from "@/test-support/test-db";
import { createUser } from "@/server/auth/users";
import { createApiToken } from "@/server/auth/api-tokens";
import { startSyntheticFrontend, type TSyntheticFrontend, type TSyntheticKind } from "./server";
import { syntheticInventoryYaml, syntheticMembers, type TSyntheticMemberSpec } from "./members";

/**
 * A real console (the production build, `next start`, as the README starts it) over a throw-away SQLite
 * database, polling synthetic frontends served from this process: the rig of the large-cluster bench
 * and of looking at a 1,000-member cluster by hand. Needs `npx next build` first.
 */
export interface TConsoleRig {
  url: string;
  /** The console's process (the bench reads its CPU and memory from /proc). */
  pid: number;
  frontends: TSyntheticFrontend[];
  members: TSyntheticMemberSpec[];
  cluster: string;
  adminPassword: string;
  /** The SQLite file the console uses (read-only looks by the bench). */
  databaseFile: string;
  /** An API token of the given role, for REST calls and the SSE stream. */
  token: (role: "viewer" | "operator") => string;
  stop: () => Promise<void>;
}

const REPO = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startConsoleRig(opts: {
  kinds: TSyntheticKind[];
  members: number;
  cluster?: string;
  pollIntervalMs?: number;
  /** Lines of the console's own output go here (default: dropped). */
  log?: (line: string) => void;
  /** More settings for the console (e.g. CLUSTERDECK_METRICS_ADDR). */
  env?: Record<string, string>;
}): Promise<TConsoleRig> {
  if (!fs.existsSync(path.join(REPO, ".next", "BUILD_ID")))
    throw new Error("no production build: run `npx next build` first");
  const cluster = opts.cluster ?? "big";
  const members = syntheticMembers(opts.members);
  const frontends: TSyntheticFrontend[] = [];
  for (const [i, kind] of opts.kinds.entries())
    frontends.push(await startSyntheticFrontend(kind, `${kind === "apache-balancer" ? "bm" : kind}-${i + 1}`, members));
  const { db, url: databaseUrl, cleanup } = await createTestDb();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterdeck-rig-"));
  const inventory = path.join(dir, "inventory.yaml");
  fs.writeFileSync(
    inventory,
    syntheticInventoryYaml(
      cluster,
      members,
      frontends.map((f) => ({ ...f, pollIntervalMs: opts.pollIntervalMs ?? 2000 })),
    ),
  );
  // The console creates its first admin only when there is no user: the rig makes it, to own the tokens.
  const adminPassword = "rig-admin-password";
  const owner = await createUser(db, "admin", adminPassword, "admin");
  const principal = {
    userId: owner.id,
    username: "admin",
    role: "admin" as const,
    via: "token" as const,
    csrfToken: null,
    tokenId: 0,
    tokenName: "rig",
  };
  const tokens = {
    viewer: (await createApiToken(db, principal, "rig-viewer", "viewer")).token,
    operator: (await createApiToken(db, principal, "rig-operator", "operator")).token,
  };
  await db.$disconnect();

  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(REPO, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: REPO,
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        CLUSTERDECK_INVENTORY: inventory,
        CLUSTERDECK_ADMIN_PASSWORD: adminPassword,
        CLUSTERDECK_ADMIN_USER: "admin",
        CLUSTERDECK_SESSION_SCAN_INTERVAL_S: "0",
        NEXT_TELEMETRY_DISABLED: "1",
        LOG_LEVEL: "warn",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const log = opts.log ?? (() => undefined);
  child.stdout?.on("data", (d: Buffer) => log(d.toString()));
  child.stderr?.on("data", (d: Buffer) => log(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the console exited with ${child.exitCode} while starting`);
    const ok = await fetch(`${url}/login`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error("the console did not start within 90 s");
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    pid: child.pid!,
    frontends,
    members,
    cluster,
    adminPassword,
    databaseFile: databaseUrl.replace(/^file:/, ""),
    token: (role) => tokens[role],
    stop: async () => {
      if (child.exitCode === null) {
        // next start waits for open connections (a browser's event stream) before it exits on SIGTERM.
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      for (const f of frontends) await f.close();
      await cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
