/**
 * A console process for the rollout restart test, on the database in DATABASE_URL. Killing it with
 * SIGKILL is a console crash: nothing is written on the way out.
 *
 *   ROLLOUT_START='{"cluster":"lab",...settings}' tsx test-support/rollout-console.ts   starts one (as an admin)
 *   tsx test-support/rollout-console.ts                                                 the real start-up (startConsole)
 *
 * Either way it then stays alive while a rollout is running (the runner is in this process).
 */
import { startConsole } from "@/server/boot";
import { getDb } from "@/server/db";
import { startRollout } from "@/server/services/rollouts/service";

process.env.CLUSTERDECK_POLLER = "0";
process.env.CLUSTERDECK_SESSION_SCAN_INTERVAL_S = "0";
process.env.LOG_LEVEL ??= "warn";

const db = getDb();
const start = process.env.ROLLOUT_START;
if (start) {
  const { cluster, ...settings } = JSON.parse(start) as { cluster: string };
  const principal = {
    userId: 1,
    username: "restart-test",
    role: "admin" as const,
    via: "token" as const,
    csrfToken: null,
    tokenId: null,
    tokenName: null,
  };
  const r = await startRollout(db, cluster, settings as Parameters<typeof startRollout>[2], { principal, ip: null });
  console.log(JSON.stringify({ started: r.id }));
} else {
  await startConsole();
  console.log(JSON.stringify({ console: "started" }));
}
while ((await db.rollout.count({ where: { state: "running" } })) > 0) await new Promise((r) => setTimeout(r, 200));
process.exit(0);
