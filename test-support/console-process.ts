/**
 * A console process for crash tests: the real start-up (startConsole: first admin, resume of
 * interrupted operations) without the poller and the session indexer, optionally starting one
 * evacuation, then staying alive until killed or until no operation is left open.
 *
 *   DATABASE_URL=file:… node --import tsx test-support/console-process.ts [evacuate <cluster> <store> <node>]
 *
 * Prints one JSON line per event on stdout ({"started":id} / {"idle":true}) for the test to read.
 */
import { startConsole } from "@/server/boot";
import { getDb } from "@/server/db";
import { startEvacuateStoreNode } from "@/server/services/operations/evacuate-store-node";

process.env.CLUSTERDECK_POLLER = "0";
process.env.CLUSTERDECK_SESSION_SCAN_INTERVAL_S = "0";
process.env.LOG_LEVEL ??= "warn";

async function main(): Promise<void> {
  await startConsole();
  const db = getDb();
  const [verb, cluster, store, node] = process.argv.slice(2);
  if (verb === "evacuate") {
    const op = await startEvacuateStoreNode(
      db,
      { cluster: cluster!, store: store!, node: node!, dryRun: false },
      { principal: null, ip: null },
    );
    console.log(JSON.stringify({ started: op.id }));
  }
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const open = await db.operation.count({ where: { state: { in: ["pending", "running"] } } });
    if (open === 0) break;
  }
  console.log(JSON.stringify({ idle: true }));
  await db.$disconnect();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
