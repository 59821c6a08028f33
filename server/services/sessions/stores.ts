import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { AppError } from "@/server/errors";

/** A configured store as the services know it: the adapter's config plus its row ids. */
export interface TStoreRef extends TStoreConfig {
  id: number;
  clusterId: number;
  cluster: string;
  /** Database ids of the nodes, by node name (history rows point at them). */
  nodeIds: Record<string, number>;
  pollIntervalMs: number;
}

/** The cluster's stores, with options validated by each kind's adapter. NOT_FOUND for an unknown cluster. */
export async function storeConfigs(db: TDb, clusterName: string): Promise<TStoreRef[]> {
  const cluster = await getClusterByName(db, clusterName);
  const stores = await db.sessionStore.findMany({
    where: { clusterId: cluster.id },
    include: { nodes: { orderBy: { id: "asc" } } },
    orderBy: { name: "asc" },
  });
  return stores.map((s) => ({
    id: s.id,
    clusterId: cluster.id,
    cluster: cluster.name,
    name: s.name,
    kind: s.kind,
    nodes: s.nodes.map((n) => ({ id: n.name, host: n.host, port: n.port })),
    nodeIds: Object.fromEntries(s.nodes.map((n) => [n.name, n.id])),
    options: getStoreAdapter(s.kind).parseOptions(JSON.parse(s.options) as unknown),
    pollIntervalMs: s.pollIntervalMs,
  }));
}

/** One store of the cluster by name, NOT_FOUND naming what exists. */
export async function storeConfig(db: TDb, clusterName: string, storeName: string): Promise<TStoreRef> {
  const stores = await storeConfigs(db, clusterName);
  const store = stores.find((s) => s.name === storeName);
  if (!store)
    throw new AppError(
      "NOT_FOUND",
      `No session store "${storeName}" in cluster "${clusterName}" (stores: ${stores.map((s) => s.name).join(", ") || "none"})`,
    );
  return store;
}

/** The stores of a cluster with what their kind can do: the UI shows buttons from this, never from the kind. */
export async function listStores(db: TDb, clusterName: string) {
  return (await storeConfigs(db, clusterName)).map((s) => {
    const adapter = getStoreAdapter(s.kind);
    return {
      store: s.name,
      kind: s.kind,
      kindLabel: adapter.label,
      capabilities: adapter.capabilities,
      nodes: s.nodes.map((n) => ({
        node: n.id,
        host: n.host,
        port: n.port,
        fallback: adapter.fallbackNode?.(s, n.id) ?? null,
      })),
      pollIntervalMs: s.pollIntervalMs,
    };
  });
}
