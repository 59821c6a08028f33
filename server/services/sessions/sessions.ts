import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TSessionCopy, TSessionCounts, TSessionDetail, TStoreConfig } from "@/server/adapters/stores/adapter";
import type { TStoreNodeStats } from "@/server/adapters/stores/types";
import { extractSessionId } from "@/server/domain/session-id";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import type { TAdminState, THealth } from "@/server/domain/member-state";

/** The cluster's stores, with options validated by each kind's adapter. */
export async function storeConfigs(db: TDb, clusterName: string): Promise<TStoreConfig[]> {
  const cluster = await getClusterByName(db, clusterName);
  const stores = await db.sessionStore.findMany({
    where: { clusterId: cluster.id },
    include: { nodes: { orderBy: { id: "asc" } } },
    orderBy: { name: "asc" },
  });
  return stores.map((s) => ({
    name: s.name,
    kind: s.kind,
    nodes: s.nodes.map((n) => ({ id: n.name, host: n.host, port: n.port })),
    options: getStoreAdapter(s.kind).parseOptions(JSON.parse(s.options) as unknown),
  }));
}

export interface TStoreSummary {
  store: string;
  kind: string;
  counts: TSessionCounts | null;
  nodes: TStoreNodeStats[];
  /** Why counts or stats are missing (a node down, a timeout): shown, never hidden. */
  error: string | null;
}

/** Sessions per member (route) and per store node, from a full scan of each store (streamed). */
export async function summarizeStores(db: TDb, clusterName: string): Promise<TStoreSummary[]> {
  const stores = await storeConfigs(db, clusterName);
  return Promise.all(
    stores.map(async (store): Promise<TStoreSummary> => {
      const adapter = getStoreAdapter(store.kind);
      const [counts, nodes] = await Promise.allSettled([adapter.countSessions(store), adapter.nodeStats(store)]);
      const errors = [counts, nodes]
        .filter((r): r is PromiseRejectedResult => r.status === "rejected")
        .map((r) => (r.reason as Error).message);
      return {
        store: store.name,
        kind: store.kind,
        counts: counts.status === "fulfilled" ? counts.value : null,
        nodes: nodes.status === "fulfilled" ? nodes.value : [],
        error: errors.length ? errors.join("; ") : null,
      };
    }),
  );
}

export interface TFrontendRouting {
  frontend: string;
  memberKey: string | null;
  adminState: TAdminState | null;
  health: THealth | null;
  /** Will this frontend send the session's requests to its own member? */
  servedByMember: boolean;
  explanation: string;
}

export interface TLocateResult {
  sessionId: string;
  baseId: string;
  nodeId: string | null;
  route: string | null;
  member: string | null;
  memberIntendedState: TAdminState | null;
  frontends: TFrontendRouting[];
  copies: TSessionCopy[];
  /** Decoded content, per store that can decode it. */
  details: Array<{ store: string } & TSessionDetail>;
  storeErrors: Array<{ store: string; error: string }>;
  warnings: string[];
}

/**
 * Where one session lives: the member its route names, how each frontend will route it given that
 * member's state there, and every copy the stores hold (looked up directly, no scan).
 */
export async function locateSession(db: TDb, clusterName: string, cookieOrId: string): Promise<TLocateResult> {
  const parsed = extractSessionId(cookieOrId);
  const view = await getClusterView(db, clusterName);
  const row = parsed.route ? view.members.find((m) => m.route === parsed.route) : undefined;
  const warnings: string[] = [];
  if (parsed.route && !row)
    warnings.push(`No member of ${clusterName} has route ${parsed.route}: every frontend will pick another member`);
  if (!parsed.route) warnings.push("The id carries no route: the frontends treat it as a new, non-sticky session");

  const frontends: TFrontendRouting[] = view.frontends.map((f, i) => {
    const s = row?.states[i] ?? null;
    if (!s)
      return {
        frontend: f.name,
        memberKey: null,
        adminState: null,
        health: null,
        servedByMember: false,
        explanation: row ? `${f.name} does not list ${row.name}` : "no member with this route",
      };
    const routable =
      (s.adminState === "active" || s.adminState === "draining" || s.adminState === "standby") &&
      s.health !== "failing";
    const explanation = routable
      ? `served by ${row!.name} (${s.adminState}${s.adminState === "draining" ? ": sticky sessions still go to it" : ""})`
      : `${row!.name} is ${s.health === "failing" ? "failing" : s.adminState} here: the request fails over to another member, which needs the session from a store or replica`;
    if (!routable) warnings.push(`${f.name}: ${explanation}`);
    return {
      frontend: f.name,
      memberKey: s.key,
      adminState: s.adminState,
      health: s.health,
      servedByMember: routable,
      explanation,
    };
  });

  const stores = await storeConfigs(db, clusterName);
  const copies: TSessionCopy[] = [];
  const details: TLocateResult["details"] = [];
  const storeErrors: Array<{ store: string; error: string }> = [];
  await Promise.all(
    stores.map(async (store) => {
      const adapter = getStoreAdapter(store.kind);
      try {
        const found = await adapter.lookup(store, parsed.id);
        copies.push(...found);
        if (found.length > 0 && adapter.readSession) {
          const d = await adapter.readSession(store, parsed.id);
          if (d) details.push({ store: store.name, ...d });
        }
        if (found.length > 0) {
          const stats = await adapter.nodeStats(store).catch(() => []);
          for (const n of stats.filter((x) => x.evictions > 0 && found.some((c) => c.node === x.node))) {
            warnings.push(
              `${store.name} node ${n.node} has evicted ${n.evictions} item(s): it is short of memory and may drop sessions`,
            );
          }
        }
      } catch (err) {
        storeErrors.push({ store: store.name, error: (err as Error).message });
      }
    }),
  );
  for (const d of details) {
    if (d.decodeError) warnings.push(`${d.store}: the stored value does not decode (${d.decodeError})`);
    if (d.notSerializable.length > 0)
      warnings.push(
        `${d.store}: attribute(s) ${d.notSerializable.join(", ")} could not be serialized and are lost on failover`,
      );
    const primary = copies.find((c) => c.store === d.store && c.role === "session");
    if (
      primary?.ttlSeconds !== null &&
      primary?.ttlSeconds !== undefined &&
      d.maxInactiveInterval &&
      d.lastAccessedTime
    ) {
      const remaining = d.maxInactiveInterval - (Date.now() - d.lastAccessedTime.getTime()) / 1000;
      if (primary.ttlSeconds < remaining - 5)
        warnings.push(
          `${d.store}: the store keeps it ${primary.ttlSeconds} s, less than the ${Math.round(remaining)} s the session has left in Tomcat`,
        );
    }
  }
  if (row?.intendedState === "draining")
    warnings.push(`${row.name} is draining: this session stays there until it ends`);
  if (stores.length > 0 && copies.length === 0 && storeErrors.length === 0)
    warnings.push("No store holds a copy of this session (expired, never stored, or a different store)");
  for (const c of copies.filter((x) => x.role === "session")) {
    if (
      !copies.some((b) => b.store === c.store && b.role === "backup") &&
      stores.find((s) => s.name === c.store)?.kind === "memcached-msm" &&
      (stores.find((s) => s.name === c.store)?.nodes.length ?? 0) > 1
    ) {
      warnings.push(`${c.store}: no backup copy (bak:) on the next node — losing ${c.node} loses this session`);
    }
  }
  return {
    sessionId: parsed.id,
    baseId: parsed.baseId,
    nodeId: parsed.nodeId,
    route: parsed.route,
    member: row?.name ?? null,
    memberIntendedState: row?.intendedState ?? null,
    frontends,
    copies: copies.sort(
      (a, b) => a.store.localeCompare(b.store) || a.node.localeCompare(b.node) || a.key.localeCompare(b.key),
    ),
    details,
    storeErrors,
    warnings,
  };
}
