import type { TDb } from "@/server/db";
import { getFrontendAdapter } from "@/server/adapters/registry";
import { getFrontendLive } from "@/server/poller/live-state";
import { matchMember } from "@/server/services/members/member-identity";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { ADMIN_STATES, type TAdminState, type THealth } from "@/server/domain/member-state";
import { observedMatchesIntended } from "@/server/domain/drift";

export type TRollupHealth = "healthy" | "degraded" | "failing" | "unknown" | "empty";

export interface TMemberOnFrontend {
  frontendId: number;
  key: string;
  adminState: TAdminState;
  health: THealth;
  busy: number;
  elected: number;
  errors: number | null;
  loadfactor: number;
  lbset: number;
  requestsPerSec: number | null;
  bytesPerSec: number | null;
  errorsPerSec: number | null;
  /** The frontend did not answer its last poll: this is the last good reading. */
  stale: boolean;
  /** Observed admin state or weight differs from what ClusterDeck was told for the member. */
  drifted: boolean;
}

export interface TMemberRow {
  memberId: number | null;
  name: string;
  route: string;
  host: string | null;
  /** What ClusterDeck was last told (inventory members only). */
  intendedState: TAdminState | null;
  intendedWeight: number | null;
  /** Some answering frontend has drifted from the intended state or weight. */
  drift: boolean;
  /** One entry per frontend of the cluster, in frontend order; null when that frontend does not list the member. */
  states: Array<TMemberOnFrontend | null>;
  /** Frontends that answer disagree on admin state or health, or one of them does not list the member. */
  disagreement: boolean;
  health: TRollupHealth;
}

export interface TFrontendRow {
  id: number;
  name: string;
  kind: string;
  kindLabel: string;
  url: string;
  balancer: string;
  pollIntervalMs: number;
  enabled: boolean;
  up: boolean | null;
  error: string | null;
  errorCode: string | null;
  lastPollAt: Date | null;
  lastGoodAt: Date | null;
  durationMs: number | null;
  adminStates: readonly TAdminState[];
  /** The kind's own words on states it does not offer or offers with limits (capabilities.notes). */
  notes: Partial<Record<TAdminState, string>>;
}

export interface TClusterView {
  cluster: { id: number; name: string; description: string; autoReapply: boolean };
  frontends: TFrontendRow[];
  members: TMemberRow[];
  health: TRollupHealth;
}

export async function getClusterView(db: TDb, name: string): Promise<TClusterView> {
  const cluster = await getClusterByName(db, name);
  const frontends: TFrontendRow[] = cluster.frontends.map((f) => {
    const live = getFrontendLive(f.id);
    const adapter = getFrontendAdapter(f.kind);
    return {
      id: f.id,
      name: f.name,
      kind: f.kind,
      kindLabel: adapter.label,
      url: f.url,
      balancer: f.balancer,
      pollIntervalMs: f.pollIntervalMs,
      enabled: f.enabled,
      up: live ? live.up : null,
      error: live?.error ?? null,
      errorCode: live?.errorCode ?? null,
      lastPollAt: live?.lastPollAt ?? null,
      lastGoodAt: live?.lastGoodAt ?? null,
      durationMs: live?.durationMs ?? null,
      adminStates: adapter.capabilities.adminStates,
      notes: adapter.capabilities.notes ?? {},
    };
  });

  const rows = new Map<string, TMemberRow>();
  for (const m of cluster.members) {
    const intendedState = (ADMIN_STATES as readonly string[]).includes(m.intendedState)
      ? (m.intendedState as TAdminState)
      : null;
    rows.set(`id:${m.id}`, {
      memberId: m.id,
      name: m.name,
      route: m.route,
      host: m.host,
      intendedState,
      intendedWeight: m.intendedWeight,
      drift: false,
      states: frontends.map(() => null),
      disagreement: false,
      health: "unknown",
    });
  }
  frontends.forEach((f, index) => {
    const live = getFrontendLive(f.id);
    for (const om of live?.members ?? []) {
      const inv = matchMember(cluster.members, om);
      // A member a frontend routes to but the inventory does not know is still shown: it takes traffic.
      const rowKey = inv ? `id:${inv.id}` : `route:${om.route || om.key}`;
      let row = rows.get(rowKey);
      if (!row) {
        row = {
          memberId: null,
          name: om.route || om.key,
          route: om.route,
          host: om.host,
          intendedState: null,
          intendedWeight: null,
          drift: false,
          states: frontends.map(() => null),
          disagreement: false,
          health: "unknown",
        };
        rows.set(rowKey, row);
      }
      row.states[index] = {
        frontendId: f.id,
        key: om.key,
        adminState: om.adminState,
        health: live!.stale ? "unknown" : om.health,
        busy: om.busy,
        elected: om.elected,
        errors: om.errors,
        loadfactor: om.loadfactor,
        lbset: om.lbset,
        requestsPerSec: om.rates?.requestsPerSec ?? null,
        bytesPerSec: om.rates?.bytesPerSec ?? null,
        errorsPerSec: om.rates?.errorsPerSec ?? null,
        stale: live!.stale,
        drifted: !live!.stale && isDrifted(f.kind, row.intendedState, row.intendedWeight, om.adminState, om.loadfactor),
      };
    }
  });

  const members = [...rows.values()];
  for (const row of members) {
    row.drift = row.states.some((s) => s?.drifted === true);
    row.disagreement = hasDisagreement(row, frontends);
    row.health = rollupMember(row);
  }
  return {
    cluster: { id: cluster.id, name: cluster.name, description: cluster.description, autoReapply: cluster.autoReapply },
    frontends,
    members,
    health: rollupCluster(members, frontends),
  };
}

/** Drift: the frontend does not show what ClusterDeck was told (the rule: server/domain/drift.ts). */
export function isDrifted(
  kind: string,
  intendedState: TAdminState | null,
  intendedWeight: number | null,
  observedState: TAdminState,
  observedWeight: number,
): boolean {
  const adapter = getFrontendAdapter(kind);
  return !observedMatchesIntended(
    { state: intendedState, weight: intendedWeight },
    { adminState: observedState, loadfactor: observedWeight },
    (s) => adapter.observedStateFor(s),
  );
}

function hasDisagreement(row: TMemberRow, frontends: TFrontendRow[]): boolean {
  const answering = row.states.filter((s, i) => frontends[i]?.up === true && frontends[i]?.enabled);
  const fresh = answering.filter((s): s is TMemberOnFrontend => s !== null && !s.stale);
  if (fresh.length < answering.length) return true; // an answering frontend does not list this member
  const admin = new Set(fresh.map((s) => s.adminState));
  const health = new Set(fresh.map((s) => s.health));
  return admin.size > 1 || health.size > 1;
}

function rollupMember(row: TMemberRow): TRollupHealth {
  const fresh = row.states.filter((s): s is TMemberOnFrontend => s !== null && !s.stale);
  if (fresh.length === 0) return "unknown";
  const failing = fresh.filter((s) => s.health === "failing").length;
  if (failing === fresh.length) return "failing";
  if (failing > 0 || fresh.some((s) => s.health !== "healthy")) return "degraded";
  return "healthy";
}

function rollupCluster(members: TMemberRow[], frontends: TFrontendRow[]): TRollupHealth {
  if (members.length === 0 && frontends.length === 0) return "empty";
  if (frontends.some((f) => f.enabled && f.up === false)) return "degraded";
  if (members.length === 0) return "unknown";
  if (members.every((m) => m.health === "failing")) return "failing";
  if (members.some((m) => m.health !== "healthy")) return "degraded";
  return "healthy";
}

export interface TClusterSummary {
  id: number;
  name: string;
  description: string;
  health: TRollupHealth;
  members: number;
  healthyMembers: number;
  frontends: number;
  frontendsUp: number;
  disagreements: number;
  drifted: number;
}

export async function getOverview(db: TDb): Promise<TClusterSummary[]> {
  const clusters = await db.cluster.findMany({ orderBy: { name: "asc" }, select: { name: true } });
  const views = await Promise.all(clusters.map((c) => getClusterView(db, c.name)));
  return views.map((v) => ({
    id: v.cluster.id,
    name: v.cluster.name,
    description: v.cluster.description,
    health: v.health,
    members: v.members.length,
    healthyMembers: v.members.filter((m) => m.health === "healthy").length,
    frontends: v.frontends.length,
    frontendsUp: v.frontends.filter((f) => f.up === true).length,
    disagreements: v.members.filter((m) => m.disagreement).length,
    drifted: v.members.filter((m) => m.drift).length,
  }));
}
