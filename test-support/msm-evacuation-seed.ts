/**
 * The starting point of the evacuation crash and takeover tests: a cluster "lab" whose one store, "msm",
 * is the lab's two memcached nodes, flushed and seeded with 200,000 MSM sessions round-robin (100,000
 * name n1) and no bak: pairs at all, so that every one of n1's sessions needs copying and the run is
 * long enough to interrupt.
 */
import type { PrismaClient } from "@/generated/prisma/client";
import { labStoreEndpoints, seedMemcachedSessions, type TSeedTruth } from "@/e2e/lab/seed-sessions";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { SETUP } from "@/test-support/test-context";

export const SEEDED_SESSIONS = 200_000;

export async function seedMsmEvacuation(db: PrismaClient): Promise<TSeedTruth> {
  const ep = labStoreEndpoints();
  const nodes = ep.memcached.map((n) => `{ name: ${n.id}, host: ${n.host}, port: ${n.port} }`).join(", ");
  await importInventory(
    db,
    parseInventoryYaml(
      `clusters:\n  - name: lab\n    members: []\n    stores:\n      - { name: msm, kind: memcached-msm, nodes: [${nodes}] }\n`,
    ),
    SETUP,
  );
  return seedMemcachedSessions(ep.memcached, {
    sessions: SEEDED_SESSIONS,
    flush: true,
    backups: false,
    collectIds: true,
    sampleSize: 10,
  });
}
