import { getDb, isPostgresUrl, type TDb } from "@/server/db";
import { getEnv, type TEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { Poller, getPoller, setPoller } from "@/server/poller/poller";
import { listenEvents } from "@/server/poller/event-bus";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { ensureFirstAdmin } from "@/server/auth/users";
import { startSessionPurge } from "@/server/auth/purge";
import { startAutoReapply } from "@/server/services/members/drift";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { StorePoller, getStorePoller, setStorePoller } from "@/server/store-poller/store-poller";
import { resumeAllJobs, watchAllJobs } from "@/server/services/jobs/registry";
import { InventoryCache, getInventoryCache, setInventoryCache } from "@/server/services/clusters/inventory-cache";
import { serveMetrics, startMetrics } from "@/server/metrics/metrics-service";
import { startAlerts } from "@/server/services/alerts/engine";
import { joinInstances } from "@/server/multi-instance/join-instances";
import { startOwnerAnswers } from "@/server/multi-instance/owner-answers";

/** What must be done once per database at start: the first admin, the inventory file. */
async function initDatabase(env: TEnv, db: TDb): Promise<void> {
  await ensureFirstAdmin(db, env.CLUSTERDECK_ADMIN_USER, env.CLUSTERDECK_ADMIN_PASSWORD);
  if (env.CLUSTERDECK_INVENTORY) {
    try {
      const counts = await importInventoryFile(db, env.CLUSTERDECK_INVENTORY);
      logger.info({ file: env.CLUSTERDECK_INVENTORY, ...counts }, "inventory imported");
    } catch (err) {
      // A bad file must not keep the console from starting: what is already in the DB still works.
      logger.error(
        { file: env.CLUSTERDECK_INVENTORY, err: (err as Error).message },
        "inventory import failed; nothing was changed",
      );
    }
  }
}

/**
 * Start-up of the console process: import the inventory file if one is named, start the poller, and
 * keep the poller in step with inventory edits. Called once from instrumentation.ts. On PostgreSQL the
 * process first joins the other instances (server/multi-instance): leases decide what it polls and
 * judges, and events fan out to the others.
 */
export async function startConsole(): Promise<void> {
  if (getPoller()) return;
  const env = getEnv();
  const db = getDb();
  const shared = isPostgresUrl(env.DATABASE_URL) ? await joinInstances(env, db, () => initDatabase(env, db)) : null;
  if (!shared) await initDatabase(env, db);
  // Another instance may ask this one what only a duty's owner knows (a session index, pending alerts);
  // an instance without a poller holds no duty and answers nothing.
  if (shared) startOwnerAnswers();
  startSessionPurge(db);
  if (!getInventoryCache()) {
    const cache = new InventoryCache(db);
    await cache.start();
    setInventoryCache(cache);
  }
  const metrics = await startMetrics(db, getInventoryCache()!);
  if (env.CLUSTERDECK_METRICS_ADDR) await serveMetrics(metrics, env.CLUSTERDECK_METRICS_ADDR);
  // Several instances: a job is resumed here only if no live instance holds its lease; later, the ones
  // whose instance dies are taken over by the watch.
  const resumed = await resumeAllJobs(db);
  // Every lease round (ttl / 3), as the duties are claimed: a dead instance's job is then taken over within
  // ttl + ttl / 3 of its last renewal, like its polling, not up to 2 × ttl (a watch every ttl).
  if (shared?.leases) watchAllJobs(db, shared.leases.roundMs);
  if (Object.keys(resumed).length > 0)
    logger.warn(
      { resumed },
      "jobs left running at the last stop were resumed (operations from the start, rollouts from their persisted phase)",
    );
  sessionScans().configure({
    intervalS: env.CLUSTERDECK_SESSION_SCAN_INTERVAL_S,
    demandS: env.CLUSTERDECK_SESSION_SCAN_DEMAND_S,
  });
  void (async () => {
    for await (const _ev of listenEvents("inventory-changed", undefined)) sessionScans().invalidate();
  })();
  if (env.CLUSTERDECK_POLLER === "0") return;
  const poller = new Poller(db, env.CLUSTERDECK_POLL_CONCURRENCY);
  setPoller(poller);
  await poller.start();
  if (!getStorePoller()) {
    const storePoller = new StorePoller(db, env.CLUSTERDECK_POLL_CONCURRENCY);
    setStorePoller(storePoller);
    await storePoller.start();
  }
  startAutoReapply(db);
  // After the pollers: the engine judges each cluster on its polls (and resolves nothing before they ran).
  await startAlerts(db, getInventoryCache()!);
  void (async () => {
    for await (const _ev of listenEvents("inventory-changed", undefined)) {
      await poller.reload().catch((err) => logger.error({ err: String(err) }, "poller reload failed"));
      await getStorePoller()
        ?.reload()
        .catch((err) => logger.error({ err: String(err) }, "store poller reload failed"));
    }
  })();
  logger.info("poller started");
}
