import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TCopyExpectations, TSessionCopy, TSessionDetail } from "@/server/adapters/stores/adapter";
import { extractSessionId } from "@/server/domain/session-id";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import type { TAdminState, THealth } from "@/server/domain/member-state";
import { storeConfigs } from "@/server/services/sessions/stores";
import { listStoreNodeLive } from "@/server/store-poller/store-live-state";

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
  /** The layout each store's copies were judged by, where the kind decides it from what it found. */
  layouts: Array<{ store: string; layout: string }>;
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
  const expectations = new Map<string, TCopyExpectations>();
  await Promise.all(
    stores.map(async (store) => {
      try {
        // Lookups by id only (each key read once, its content decoded from that read): no scan.
        const found = await getStoreAdapter(store.kind).locate(store, parsed.id);
        copies.push(...found.copies);
        if (found.detail) details.push({ store: store.name, ...found.detail });
        if (found.expect) expectations.set(store.name, found.expect);
      } catch (err) {
        storeErrors.push({ store: store.name, error: (err as Error).message });
      }
    }),
  );
  // What the store poller last saw of the nodes holding copies: live, without another stats call.
  const live = listStoreNodeLive().filter((l) => stores.some((s) => s.id === l.storeId));
  for (const n of live) {
    if (!copies.some((c) => c.store === n.store && c.node === n.node)) continue;
    for (const w of n.warnings.filter((x) => x.code === "evicting" || x.code === "memory" || x.code === "restarted"))
      warnings.push(`${n.store}: ${w.message}`);
  }
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
      // A few seconds of rounding, plus what the layout takes off by design (sticky MSM: 6 s).
      if (primary.ttlSeconds < remaining - 5 - (expectations.get(d.store)?.ttlShortfallSeconds ?? 0))
        warnings.push(
          `${d.store}: the store keeps it ${primary.ttlSeconds} s, less than the ${Math.round(remaining)} s the session has left in Tomcat`,
        );
    }
  }
  if (row?.intendedState === "draining")
    warnings.push(`${row.name} is draining: this session stays there until it ends`);
  const missing = [...expectations].filter(([, e]) => e.missing);
  for (const [store, e] of missing) warnings.push(`${store}: ${e.missing}`);
  if (stores.length > 0 && copies.length === 0 && storeErrors.length === 0 && missing.length === 0)
    warnings.push("No store holds a copy of this session (expired, never stored, or a different store)");
  for (const c of copies.filter((x) => x.role === "session")) {
    const store = stores.find((s) => s.name === c.store);
    if (!store) continue;
    const backupExpected =
      expectations.get(c.store)?.backupCopy ??
      (getStoreAdapter(store.kind).keepsBackupCopies && store.nodes.length > 1);
    if (!backupExpected) continue;
    if (!copies.some((b) => b.store === c.store && b.role === "backup"))
      warnings.push(`${c.store}: no backup copy on another node — losing ${c.node} loses this session`);
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
    layouts: [...expectations].map(([store, e]) => ({ store, layout: e.layout })),
    warnings,
  };
}
