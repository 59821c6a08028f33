/**
 * The console as the bench runs it: the real start-up (startConsole: inventory import, frontend and
 * store pollers, scan coordinator with the settings from the environment) and the real REST handler
 * (/api/v1) on a loopback port. Everything the bench measures reaches this process over HTTP; its RSS
 * and CPU are read from /proc/<pid> by the bench.
 *
 *   DATABASE_URL=file:… CLUSTERDECK_INVENTORY=… node --import tsx scripts/bench/console-process.ts
 *
 * Prints one JSON line {"url","viewer","operator"} once it answers, then runs until killed.
 */
import { startConsole } from "@/server/boot";
import { getDb } from "@/server/db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";

process.env.LOG_LEVEL ??= "warn";
// A normal exit on SIGTERM, so `node --cpu-prof` writes its profile when the bench or a profiler stops it.
process.once("SIGTERM", () => process.exit(0));

async function main(): Promise<void> {
  await startConsole();
  const db = getDb();
  const tokens = await createCliTokens(db);
  const { url } = await serveRestApi(db);
  console.log(JSON.stringify({ url, ...tokens }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
