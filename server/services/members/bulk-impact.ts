import type { TDb } from "@/server/db";
import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TAdminState } from "@/server/domain/member-state";
import { STATE_VERBS, VERB_EFFECT, type TStateVerb } from "@/server/domain/member-verbs";
import { getFrontendLive } from "@/server/poller/live-state";
import { getRequestShares } from "@/server/services/clusters/history-query";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { createMemberMatcher } from "@/server/services/members/member-identity";
import { resolveMembers, type TCluster } from "@/server/services/members/selection";

/** Members each frontend sees active and healthy now, and after the verb is applied to the selection. */
export interface TFrontendActiveCounts {
  frontend: string;
  /** Members it lists. */
  listed: number;
  activeBefore: number;
  activeAfter: number;
  /** The kind cannot do this (its own words): the selection stays as it is there. */
  unsupported: string | null;
  /** The frontend is not answering: its counts are its last good reading, or none. */
  stale: boolean;
}

/**
 * Per frontend, from the live table: how many members it sees active and healthy, and how many it
 * will after `target` is applied to the selection (a kind without that state keeps them as they are).
 */
export function activeCounts(
  cluster: TCluster,
  frontends: TCluster["frontends"],
  selection: TCluster["members"],
  target: TAdminState,
): TFrontendActiveCounts[] {
  const selected = new Set(selection.map((m) => m.id));
  const match = createMemberMatcher(cluster.members);
  return frontends.map((f) => {
    const adapter = getFrontendAdapter(f.kind);
    const observedTarget = adapter.observedStateFor(target);
    const live = getFrontendLive(f.id);
    let activeBefore = 0;
    let activeAfter = 0;
    for (const om of live?.members ?? []) {
      const usable = om.health !== "failing";
      const active = om.adminState === "active" && usable;
      if (active) activeBefore++;
      const inv = match(om);
      const changes = inv !== undefined && selected.has(inv.id) && observedTarget !== null;
      if (changes ? observedTarget === "active" && usable : active) activeAfter++;
    }
    return {
      frontend: f.name,
      listed: live?.members.length ?? 0,
      activeBefore,
      activeAfter,
      unsupported:
        observedTarget === null
          ? (adapter.capabilities.notes?.[target] ?? `${adapter.label} has no ${target} state`)
          : null,
      stale: !live || live.stale,
    };
  });
}

/**
 * The guard rail over the whole selection: refused when no member outside it is meant to be active
 * (as for one member), or when a frontend that has active members would be left with none.
 * Returns the reason, or null.
 */
export function guardRail(
  cluster: TCluster,
  frontends: TCluster["frontends"],
  selection: TCluster["members"],
  target: TAdminState,
): string | null {
  if (target === "active") return null;
  const selected = new Set(selection.map((m) => m.id));
  if (!cluster.members.some((m) => !selected.has(m.id) && m.intendedState === "active"))
    return `after this, no member of ${cluster.name} would be meant to take new sessions`;
  const emptied = activeCounts(cluster, frontends, selection, target).filter(
    (c) => !c.stale && c.activeBefore > 0 && c.activeAfter === 0,
  );
  if (emptied.length === 0) return null;
  return `after this, ${emptied.map((c) => c.frontend).join(", ")} would have no active, healthy member left to take new sessions`;
}

export interface TBulkImpact {
  verb: TStateVerb;
  members: number;
  /** Share of the cluster's requests the selection took over the last 5 minutes (0–1), null without data. */
  requestShare: number | null;
  frontends: TFrontendActiveCounts[];
  /** Why the guard rail refuses it (then it needs force), or null. */
  refusal: string | null;
  effect: string;
  summary: string;
}

/** What a bulk action would do, for its one confirmation: share of traffic, members left active per frontend. */
export async function describeBulkImpact(
  db: TDb,
  clusterName: string,
  memberNames: readonly string[],
  verb: TStateVerb,
  now = Date.now(),
): Promise<TBulkImpact> {
  const cluster = await getClusterByName(db, clusterName);
  const selection = resolveMembers(cluster, memberNames);
  const target = STATE_VERBS[verb];
  const frontends = cluster.frontends.filter((f) => f.enabled);
  const counts = activeCounts(cluster, frontends, selection, target);
  const { share } = await getRequestShares(
    db,
    clusterName,
    selection.map((m) => m.route),
    now - 5 * 60_000,
  );
  const n = selection.length;
  const who = n === 1 ? selection[0]!.name : `${n} members`;
  const traffic =
    share === null
      ? `${who} ${n === 1 ? "has" : "have"} had no measured traffic in the last 5 minutes`
      : `${who} took ${Math.round(share * 1000) / 10}% of requests in the last 5 minutes`;
  const perFrontend = counts
    .map((c) =>
      c.unsupported
        ? `${c.frontend}: unchanged (${c.unsupported})`
        : `${c.frontend}: ${c.activeAfter} of ${c.listed} active${c.stale ? " (not answering: last reading)" : ""}`,
    )
    .join("; ");
  return {
    verb,
    members: n,
    requestShare: share,
    frontends: counts,
    refusal: guardRail(cluster, frontends, selection, target),
    effect: VERB_EFFECT[verb],
    summary: `${traffic}. After this: ${perFrontend}.`,
  };
}
