/**
 * Where the demo's simulated users go: every context of the lab app (/app: DeltaManager replication,
 * /msm: memcached, /redis: Redis, /jdbc: the PostgreSQL session table, /backup: BackupManager, /rebind:
 * DeltaManager with JvmRouteBinderValve, /sticky: the MSM stand-in in sticky mode) through every
 * frontend, so every store of the lab cluster holds live sessions within the first minute. One user per
 * target.
 * /rebind and /sticky are left out behind nginx: nginx picks a Tomcat by hashing the cookie, which does not
 * follow the route, so JvmRouteBinderValve (or sticky MSM taking the session over) gives the session a new
 * id on nearly every request there (README, Known limits).
 *
 *   node --import tsx e2e/lab/demo-targets.ts    prints the targets as --target arguments (demo.sh)
 */
import { pathToFileURL } from "node:url";
import { loadLabEnv } from "../../test-support/lab/lab-env";

export const DEMO_CONTEXTS = ["app", "msm", "redis", "jdbc", "backup", "rebind", "sticky"] as const;
/** Contexts whose Tomcats rename or re-id a session they take over: only behind balancers that follow routes. */
const ROUTE_BOUND = new Set<string>(["rebind", "sticky"]);
const FRONTEND_KEYS = ["LAB_FRONTEND_A_URL", "LAB_FRONTEND_B_URL", "LAB_FRONTEND_C_URL", "LAB_FRONTEND_D_URL"];
/** The lab's nginx frontend: its hash on the cookie ignores routes. */
const ROUTE_BLIND_KEY = "LAB_FRONTEND_D_URL";

export function demoTargets(env: Record<string, string> = loadLabEnv()): string[] {
  const keys = FRONTEND_KEYS.filter((k) => env[k]);
  if (keys.length === 0) throw new Error("no frontend URL in the lab's settings: is the lab up?");
  const base = (k: string) => env[k]!.replace(/\/app\/?$/, "");
  // Context-major order: with round-robin users, the first users already cover every context.
  return DEMO_CONTEXTS.flatMap((ctx) =>
    keys.filter((k) => !(ROUTE_BOUND.has(ctx) && k === ROUTE_BLIND_KEY)).map((k) => `${base(k)}/${ctx}/counter`),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  process.stdout.write(
    demoTargets()
      .map((t) => `--target ${t}`)
      .join(" ") + "\n",
  );
