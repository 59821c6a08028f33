/**
 * Where the demo's simulated users go: every context of the lab app (/app: DeltaManager replication,
 * /msm: memcached, /redis: Redis, /jdbc: the PostgreSQL session table, /backup: BackupManager, /rebind:
 * DeltaManager with JvmRouteBinderValve) through every frontend, so every
 * store of the lab cluster holds live sessions within the first minute. One user per target.
 *
 *   node --import tsx e2e/lab/demo-targets.ts    prints the targets as --target arguments (demo.sh)
 */
import { pathToFileURL } from "node:url";
import { loadLabEnv } from "../../test-support/lab/lab-env";

export const DEMO_CONTEXTS = ["app", "msm", "redis", "jdbc", "backup", "rebind"] as const;
const FRONTEND_KEYS = ["LAB_FRONTEND_A_URL", "LAB_FRONTEND_B_URL", "LAB_FRONTEND_C_URL", "LAB_FRONTEND_D_URL"];

export function demoTargets(env: Record<string, string> = loadLabEnv()): string[] {
  const bases = FRONTEND_KEYS.flatMap((k) => (env[k] ? [env[k]!.replace(/\/app\/?$/, "")] : []));
  if (bases.length === 0) throw new Error("no frontend URL in the lab's settings: is the lab up?");
  // Context-major order: with round-robin users, the first users already cover every context.
  return DEMO_CONTEXTS.flatMap((ctx) => bases.map((b) => `${b}/${ctx}/counter`));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  process.stdout.write(
    demoTargets()
      .map((t) => `--target ${t}`)
      .join(" ") + "\n",
  );
