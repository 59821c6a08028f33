import os from "node:os";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TDb } from "@/server/db";
import type { TEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { listDuties } from "@/server/cluster-lease/duties";
import { LeaseManager } from "@/server/cluster-lease/lease-manager";
import { NO_DUTIES, setOwnership } from "@/server/cluster-lease/ownership";
import { PgLeaseStore } from "@/server/cluster-lease/pg-lease-store";
import { pgSharedLock, setSharedLock } from "@/server/cluster-lease/shared-lock";
import { PgFanout } from "@/server/fanout/pg-fanout";
import { checkPostgresSchema } from "@/server/multi-instance/schema-check";

/** Held while an instance sets up what must be done once (first admin, inventory file); not the migrations' key. */
const STARTUP_LOCK_KEY = 2718281829;

export interface TJoinedInstance {
  instanceId: string;
  /** null when this instance runs no poller (CLUSTERDECK_POLLER=0): it takes no duty and is not counted. */
  leases: LeaseManager | null;
  fanout: PgFanout;
}

export function defaultInstanceId(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/**
 * Joins the instances sharing one PostgreSQL: refuses an older build than the schema, then under an
 * advisory lock runs `once` (the first admin, the inventory file: instances started together must not
 * both create them) and starts this instance's heartbeat and leases. Live events fan out from then on, and edits of one nginx
 * include file are serialized across the instances.
 */
export async function joinInstances(env: TEnv, db: TDb, once: () => Promise<void>): Promise<TJoinedInstance> {
  const instanceId = env.CLUSTERDECK_INSTANCE_ID ?? defaultInstanceId();
  const client = new pg.Client({ connectionString: env.DATABASE_URL, application_name: "clusterdeck-startup" });
  await client.connect();
  try {
    await checkPostgresSchema(client);
    await client.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK_KEY]);
    await once();
    // Without a poller it must not heartbeat either, or the others would count it and shrink their shares.
    const leases =
      env.CLUSTERDECK_POLLER === "0"
        ? null
        : new LeaseManager(new PgLeaseStore(env.DATABASE_URL), {
            instanceId,
            ttlMs: env.CLUSTERDECK_LEASE_TTL_MS,
            listDuties: () => listDuties(db),
          });
    // A poller-less instance keeps no session index either: it knows its id to ask the keepers (index-keeper.ts).
    setOwnership(leases ?? { ...NO_DUTIES, instanceId });
    const lockPool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4, application_name: "clusterdeck-locks" });
    lockPool.on("error", () => undefined); // an idle client's lost connection: the next edit reconnects
    setSharedLock(pgSharedLock(lockPool));
    const fanout = new PgFanout(env.DATABASE_URL, instanceId);
    await fanout.start();
    await leases?.start();
    logger.info({ instanceId, owned: leases?.ownedDuties().length ?? 0 }, "joined the console instances on PostgreSQL");
    return { instanceId, leases, fanout };
  } finally {
    await client.end().catch(() => undefined);
  }
}
