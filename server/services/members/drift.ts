import { getOwnership } from "@/server/cluster-lease/ownership";
import { REAPPLY_DUTY } from "@/server/cluster-lease/duties";
import type { TDb } from "@/server/db";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import {
  applyMemberChange,
  type TActionOptions,
  type TMemberActionResult,
} from "@/server/services/members/member-actions";
import { listenEvents, onEvent } from "@/server/poller/event-bus";
import { AppError } from "@/server/errors";
import { logger } from "@/server/logger";

/**
 * Re-sends a member's intended state (and weight, if ClusterDeck set one) to the frontends that drifted
 * from it, e.g. after an httpd restart forgot a drain. Intent is not changed.
 */
export async function reapplyMember(
  db: TDb,
  clusterName: string,
  memberName: string,
  opts: Omit<TActionOptions, "frontendIds" | "recordIntent" | "auditAction">,
): Promise<TMemberActionResult[]> {
  const view = await getClusterView(db, clusterName);
  const row = view.members.find((m) => m.name === memberName && m.memberId !== null);
  if (!row || row.intendedState === null)
    throw new AppError("NOT_FOUND", `No member "${memberName}" in cluster "${clusterName}"`);
  const drifted = row.states.filter((s) => s?.drifted).map((s) => s!.frontendId);
  if (drifted.length === 0) return [];
  const common = { ...opts, frontendIds: drifted, recordIntent: false, auditAction: "member.reapply", force: true };
  const results = [
    await applyMemberChange(db, clusterName, memberName, { kind: "state", state: row.intendedState }, common),
  ];
  if (row.intendedWeight !== null)
    results.push(
      await applyMemberChange(db, clusterName, memberName, { kind: "weight", weight: row.intendedWeight }, common),
    );
  return results;
}

const COOLDOWN_MS = 15_000;

/** For clusters with autoReapply on: after each poll, re-apply drifted members (as "system"), at most every 15 s each. */
export function startAutoReapply(db: TDb, signal?: AbortSignal): void {
  const lastTry = new Map<string, number>();
  const busy = new Set<number>();
  /** Clusters whose last look found no drift: a poll that changed no member cannot have made one. */
  const settled = new Set<number>();
  const offIntent = onEvent("intent-changed", (ev) => settled.delete(ev.clusterId));
  const offInventory = onEvent("inventory-changed", () => settled.clear());
  signal?.addEventListener("abort", () => {
    offIntent();
    offInventory();
  });
  void (async () => {
    for await (const ev of listenEvents("frontend-polled", signal)) {
      // Several instances: one re-applies (the owner of the "reapply" lease), or each would act.
      if (!ev.up || busy.has(ev.clusterId) || !getOwnership().owns(REAPPLY_DUTY)) continue;
      if (ev.changed !== null && ev.changed.length === 0 && settled.has(ev.clusterId)) continue;
      busy.add(ev.clusterId);
      try {
        const cluster = await db.cluster.findUnique({ where: { id: ev.clusterId } });
        if (!cluster?.autoReapply) continue;
        const view = await getClusterView(db, cluster.name);
        const drifted = view.members.filter((x) => x.drift && x.memberId !== null);
        if (drifted.length === 0) settled.add(cluster.id);
        else settled.delete(cluster.id);
        for (const m of drifted) {
          const key = `${cluster.id}/${m.name}`;
          if (Date.now() - (lastTry.get(key) ?? 0) < COOLDOWN_MS) continue;
          lastTry.set(key, Date.now());
          const results = await reapplyMember(db, cluster.name, m.name, {
            principal: null,
            actor: "system (auto re-apply)",
            ip: null,
          });
          logger.info(
            { cluster: cluster.name, member: m.name, outcomes: results.map((r) => r.overall) },
            "drift re-applied automatically",
          );
        }
      } catch (err) {
        logger.warn({ err: String(err), clusterId: ev.clusterId }, "automatic re-apply failed");
      } finally {
        busy.delete(ev.clusterId);
      }
    }
  })();
}
