import { emitEvent } from "@/server/poller/event-bus";
import type { TMemberActionResult } from "@/server/services/members/member-actions";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { setMemberPhase } from "@/server/services/rollouts/rollout-journal";
import { applyWeights, type TRunCtx } from "@/server/services/rollouts/phases";

/**
 * What abort leaves, per member, by the phase it had reached (also in README "Rolling deploys"):
 *
 * - pending, done: untouched (not started / already rolled, active at its original weight).
 * - drain, wait, stop: re-enabled at its original weight. Its process was never touched, so it serves
 *   the old version as before; users drained away come back by stickiness or new sessions.
 * - deploy, health: left stopped on every frontend and reported: the deploy may be half done or the new
 *   version not verified, so sending users there would be a guess. Enable it by hand once checked.
 * - ramp: it passed the health gate with the new version: enabled at its original weight.
 *
 * Every change goes through the same verified member actions, audited as the rollout.
 */
export async function abortMembers(ctx: TRunCtx): Promise<string> {
  const members = await ctx.db.rolloutMember.findMany({
    where: { rolloutId: ctx.rolloutId },
    orderBy: { position: "asc" },
  });
  const lines: string[] = [];
  for (const m of members) {
    if (m.phase === "pending") {
      await setMemberPhase(ctx.db, ctx.rolloutId, m.member, {
        state: "not-started",
        message: "not started: untouched",
      });
      continue;
    }
    if (m.phase === "done") continue;
    if (m.phase === "deploy" || m.phase === "health") {
      const r = await applyMemberChange(ctx.db, ctx.cluster, m.member, { kind: "state", state: "stopped" }, ctx.who);
      const message = `left stopped on every frontend (aborted during ${m.phase}; stop re-confirmed: ${r.overall}): check it and enable it by hand`;
      await setMemberPhase(ctx.db, ctx.rolloutId, m.member, { state: "left-stopped", message });
      lines.push(`${m.member} ${message}`);
      continue;
    }
    const results = await reenable(ctx, m);
    const ok = results.every((r) => r.overall === "done");
    const message = `re-enabled at its original weight (aborted during ${m.phase})${ok ? "" : `, NOT confirmed everywhere: ${results.map((r) => r.overall).join(", ")}`}`;
    await setMemberPhase(ctx.db, ctx.rolloutId, m.member, { state: ok ? "re-enabled" : "abort-failed", message });
    lines.push(`${m.member} ${message}`);
  }
  return `Aborted. ${lines.length ? lines.join("; ") : "No member had been touched."}`;
}

async function reenable(
  ctx: TRunCtx,
  m: { member: string; originalWeights: string | null; originalIntendedWeight: number | null },
): Promise<TMemberActionResult[]> {
  const original = JSON.parse(m.originalWeights ?? "{}") as Record<string, number>;
  const results = await applyWeights(
    ctx,
    m.member,
    new Map(Object.entries(original).map(([fid, w]) => [Number(fid), w])),
    "rollout.restoreWeight",
  );
  results.push(await applyMemberChange(ctx.db, ctx.cluster, m.member, { kind: "state", state: "active" }, ctx.who));
  const cluster = await getClusterByName(ctx.db, ctx.cluster);
  const row = cluster.members.find((x) => x.name === m.member);
  if (row) {
    await ctx.db.member.update({ where: { id: row.id }, data: { intendedWeight: m.originalIntendedWeight } });
    emitEvent("intent-changed", { clusterId: cluster.id });
  }
  return results;
}
