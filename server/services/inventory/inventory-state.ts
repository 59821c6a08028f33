import type { TDb } from "@/server/db";
import type { TFrontendKind, TStoreKind } from "@/server/adapters/registry";
import type { TInventoryFile } from "@/server/services/inventory/inventory-schema";

export type TInventoryCluster = TInventoryFile["clusters"][number];

/**
 * The stored inventory in the file's own shape (secrets included: for comparing and keeping, never for
 * answering; the export masks them). `names` limits it to those clusters; absent = every cluster.
 * `db` may be a transaction's client, so a plan and its apply read the same state.
 */
export async function readInventoryState(
  db: Pick<TDb, "cluster">,
  names?: readonly string[],
): Promise<TInventoryCluster[]> {
  const rows = await db.cluster.findMany({
    where: names ? { name: { in: [...names] } } : undefined,
    orderBy: { name: "asc" },
    include: {
      members: { orderBy: { name: "asc" } },
      frontends: { orderBy: { name: "asc" } },
      stores: { orderBy: { name: "asc" }, include: { nodes: { orderBy: { name: "asc" } } } },
    },
  });
  return rows.map((c) => ({
    name: c.name,
    description: c.description,
    members: c.members.map((m) => ({
      name: m.name,
      route: m.route,
      host: m.host,
      httpPort: m.httpPort,
      ajpPort: m.ajpPort,
    })),
    frontends: c.frontends.map((f) => ({
      name: f.name,
      // Stored by the same schema that the file is checked with.
      kind: f.kind as TFrontendKind,
      url: f.url,
      balancer: f.balancer,
      username: f.username,
      password: f.password,
      pollIntervalMs: f.pollIntervalMs,
      timeoutMs: f.timeoutMs,
      enabled: f.enabled,
      options: JSON.parse(f.options) as Record<string, unknown>,
    })),
    stores: c.stores.map((s) => ({
      name: s.name,
      kind: s.kind as TStoreKind,
      options: JSON.parse(s.options) as Record<string, unknown>,
      nodes: s.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port })),
      pollIntervalMs: s.pollIntervalMs,
      timeoutMs: s.timeoutMs,
    })),
  }));
}
