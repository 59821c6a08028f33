import type { TDb } from "@/server/db";
import type { TPrincipal } from "@/server/auth/principal";
import { recordAudit } from "@/server/services/audit/audit";
import { AppError } from "@/server/errors";

/** The cluster's unfinished rollout (running or paused), if any: at most one, by the unique activeCluster. */
export function findActiveRollout(db: TDb, cluster: string) {
  return db.rollout.findUnique({ where: { activeCluster: cluster }, include: { members: true } });
}

/**
 * Member actions on a member of an unfinished rollout, by anyone but the rollout itself, are refused with
 * CONFLICT naming the rollout: a drain or enable in the middle of "wait" or "ramp" would silently undo
 * what the rollout counts on. An admin may force it (the override is audited); a rollout then notices
 * nothing until its next phase, so the operator owns the consequences. Re-apply is let through: it only
 * re-sends the intended state, which the rollout itself records.
 * Returns the id of a rollout that was overridden, for the audit entry.
 */
export async function guardRolloutMembers(
  db: TDb,
  cluster: string,
  member: string,
  action: string,
  opts: { principal: TPrincipal | null; actor?: string; ip: string | null; force?: boolean; rolloutId?: number },
): Promise<number | null> {
  if (action === "member.reapply") return null;
  const rollout = await findActiveRollout(db, cluster);
  if (!rollout || rollout.id === opts.rolloutId) return null;
  if (!rollout.members.some((m) => m.member === member)) return null;
  if (opts.force && opts.principal?.role === "admin") return rollout.id;
  await recordAudit(db, {
    principal: opts.principal,
    actor: opts.actor,
    ip: opts.ip,
    action,
    cluster,
    target: member,
    result: "denied",
    details: { reason: "member is in an unfinished rollout", rolloutId: rollout.id },
  });
  throw new AppError(
    "CONFLICT",
    `Refused: ${member} is part of rollout #${rollout.id} on ${cluster} (${rollout.state}, started by ${rollout.startedBy ?? "unknown"}). Pause or abort the rollout first, or force it as an admin.`,
    { rolloutId: rollout.id },
  );
}
