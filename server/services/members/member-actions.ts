import type { TDb } from "@/server/db";
import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TFrontendAdapter } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot, TObservedMember } from "@/server/adapters/frontends/types";
import type { TAdminState } from "@/server/domain/member-state";
import { VERB_FOR_STATE } from "@/server/domain/member-verbs";
import { observedMatchesIntended } from "@/server/domain/drift";
import { AppError } from "@/server/errors";
import { readBalancer, toTarget, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import { matchMember } from "@/server/services/members/member-identity";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { emitEvent } from "@/server/poller/event-bus";
import { recordAudit } from "@/server/services/audit/audit";
import type { TPrincipal } from "@/server/auth/principal";
import { getPoller } from "@/server/poller/poller";
import { getFrontendLive } from "@/server/poller/live-state";
import { guardRolloutMembers } from "@/server/services/rollouts/guard";

/** One change to one member, the same on every frontend. */
export type TMemberChange = { kind: "state"; state: TAdminState } | { kind: "weight"; weight: number };

export type TFrontendOutcome = "done" | "failed" | "not-verified" | "unsupported" | "not-routed";

export interface TFrontendActionResult {
  frontendId: number;
  frontend: string;
  kind: string;
  outcome: TFrontendOutcome;
  /** The frontend's own words when it failed, or what we saw when the read-back did not match. */
  message: string | null;
  observed: { adminState: TAdminState; loadfactor: number } | null;
  durationMs: number;
}

export interface TMemberActionResult {
  cluster: string;
  member: string;
  action: string;
  /** done: every frontend that routes to the member confirmed; partial: some did; failed: none did. */
  overall: "done" | "partial" | "failed";
  frontends: TFrontendActionResult[];
  auditId: number;
}

export interface TActionOptions {
  principal: TPrincipal | null;
  actor?: string;
  ip: string | null;
  /** Leave the cluster with no active member anyway. */
  force?: boolean;
  /** Only these frontends (retry of a partial result, drift re-apply); default all enabled ones. */
  frontendIds?: number[];
  /** Audit action name; default member.<verb>. */
  auditAction?: string;
  /** Record as intended state (false for re-apply, which re-sends what is already intended). */
  recordIntent?: boolean;
  /** Set by the rollout engine: its own changes pass the rollout guard (rollouts/guard.ts). */
  rolloutId?: number;
}

/**
 * Bounded read-back: httpd, mod_jk and HAProxy apply a change at once (shared memory, or HAProxy's own
 * process) and nginx once its reload returns; the bound covers slow links.
 */
export const VERIFY_TIMEOUT_MS = 5_000;
const VERIFY_INTERVAL_MS = 200;

export function describeChange(change: TMemberChange): string {
  return change.kind === "state" ? `state ${change.state}` : `weight ${change.weight}`;
}

/**
 * Applies one change to a member on every frontend that routes to it, in parallel, re-reads each
 * frontend until it shows the change (bounded), records the intended state and an audit entry.
 * Never reports success without the read-back: balancer-manager and jkstatus answer 200 to changes they ignore.
 */
export async function applyMemberChange(
  db: TDb,
  clusterName: string,
  memberName: string,
  change: TMemberChange,
  opts: TActionOptions,
): Promise<TMemberActionResult> {
  const cluster = await getClusterByName(db, clusterName);
  const member = cluster.members.find((m) => m.name === memberName);
  if (!member)
    throw new AppError(
      "NOT_FOUND",
      `No member "${memberName}" in cluster "${clusterName}" (members: ${cluster.members.map((m) => m.name).join(", ") || "none"})`,
    );
  const action =
    opts.auditAction ?? (change.kind === "state" ? `member.${VERB_FOR_STATE[change.state]}` : "member.setWeight");
  const overrodeRollout = await guardRolloutMembers(db, clusterName, memberName, action, opts);

  if (change.kind === "state" && change.state !== "active" && !opts.force) {
    const othersActive = cluster.members.filter(
      (m) =>
        m.id !== member.id &&
        m.intendedState === "active" &&
        !failingEverywhere(
          cluster.frontends.map((f) => f.id),
          m,
        ),
    );
    if (othersActive.length === 0) {
      await recordAudit(db, {
        principal: opts.principal,
        actor: opts.actor,
        ip: opts.ip,
        action,
        cluster: clusterName,
        target: memberName,
        result: "denied",
        details: { reason: "would leave no active member", change },
      });
      throw new AppError(
        "CONFLICT",
        `Refused: after this, no member of ${clusterName} would be active and healthy to take new sessions. Enable another member first, or force it.`,
      );
    }
  }

  const frontends = cluster.frontends.filter(
    (f) => f.enabled && (!opts.frontendIds || opts.frontendIds.includes(f.id)),
  );
  const results = await Promise.all(frontends.map((f) => applyOnFrontend(f, member, change)));
  const confirmed = results.filter((r) => r.outcome === "done").length;
  const relevant = results.filter((r) => r.outcome !== "not-routed" && r.outcome !== "unsupported").length;
  const overall = relevant > 0 && confirmed === relevant ? "done" : confirmed > 0 ? "partial" : "failed";

  const before = { state: member.intendedState, weight: member.intendedWeight };
  const after = change.kind === "state" ? { ...before, state: change.state } : { ...before, weight: change.weight };
  if (opts.recordIntent !== false) {
    // The operator's intent is kept even when a frontend failed: drift then shows where it is not applied.
    await db.member.update({
      where: { id: member.id },
      data: {
        ...(change.kind === "state" ? { intendedState: change.state } : { intendedWeight: change.weight }),
        intendedAt: new Date(),
        intendedBy: opts.actor ?? opts.principal?.username ?? null,
      },
    });
    emitEvent("intent-changed", { clusterId: cluster.id });
  }
  const auditId = await recordAudit(db, {
    principal: opts.principal,
    actor: opts.actor,
    ip: opts.ip,
    action,
    cluster: clusterName,
    target: memberName,
    result: overall === "done" ? "ok" : overall,
    before,
    after,
    details: {
      change,
      force: opts.force ?? false,
      frontends: results,
      ...(opts.rolloutId ? { rolloutId: opts.rolloutId } : {}),
      ...(overrodeRollout ? { overrodeRollout } : {}),
    },
  });
  const poller = getPoller();
  if (poller) await Promise.all(frontends.map((f) => poller.pollNow(f.id)));
  return { cluster: clusterName, member: memberName, action, overall, frontends: results, auditId };
}

function failingEverywhere(frontendIds: number[], m: { route: string }): boolean {
  const seen = frontendIds
    .map((id) => getFrontendLive(id)?.members.find((o) => o.route === m.route))
    .filter((o): o is NonNullable<typeof o> => Boolean(o));
  return seen.length > 0 && seen.every((o) => o.health === "failing");
}

type TFrontendRowWithId = TFrontendRow & { id: number; name: string };

async function applyOnFrontend(
  f: TFrontendRowWithId,
  member: Parameters<typeof matchMember>[0][number],
  change: TMemberChange,
): Promise<TFrontendActionResult> {
  const started = Date.now();
  const adapter = getFrontendAdapter(f.kind);
  const base = { frontendId: f.id, frontend: f.name, kind: f.kind };
  const result = (
    outcome: TFrontendOutcome,
    message: string | null,
    observed: TObservedMember | null,
  ): TFrontendActionResult => ({
    ...base,
    outcome,
    message,
    observed: observed ? { adminState: observed.adminState, loadfactor: observed.loadfactor } : null,
    durationMs: Date.now() - started,
  });

  const unsupported = unsupportedReason(adapter, change);
  if (unsupported) return result("unsupported", unsupported, null);
  let balancer: TBalancerSnapshot;
  let observed: TObservedMember | undefined;
  try {
    balancer = await readBalancer(f);
    observed = balancer.members.find((o) => matchMember([member], o));
  } catch (err) {
    return result("failed", (err as Error).message, null);
  }
  if (!observed) return result("not-routed", `${f.name} does not route to ${member.name}`, null);

  try {
    if (change.kind === "state") await adapter.setAdminState(toTarget(f), balancer, observed.key, change.state);
    else await adapter.setWeight(toTarget(f), balancer, observed.key, change.weight);
  } catch (err) {
    return result("failed", (err as Error).message, observed);
  }

  const deadline = Date.now() + VERIFY_TIMEOUT_MS;
  let last: TObservedMember | undefined = observed;
  let lastError: string | null;
  for (;;) {
    try {
      const again = await readBalancer(f);
      last = again.members.find((o) => o.key === observed!.key);
      lastError = null;
      if (last && matches(adapter, change, last)) return result("done", null, last);
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, VERIFY_INTERVAL_MS));
  }
  const saw = last ? `it still shows ${last.adminState}, weight ${last.loadfactor}` : "the member is no longer listed";
  return result(
    "not-verified",
    lastError ?? `${f.name} accepted the request but ${saw} after ${VERIFY_TIMEOUT_MS / 1000} s`,
    last ?? null,
  );
}

export function unsupportedReason(adapter: TFrontendAdapter, change: TMemberChange): string | null {
  if (change.kind === "state") {
    if (adapter.observedStateFor(change.state) !== null) return null;
    // The kind's own words where it has them (nginx: why there is no drain and what happens instead).
    return adapter.capabilities.notes?.[change.state] ?? `${adapter.label} has no ${change.state} state`;
  }
  const w = adapter.capabilities.weight;
  if (!w) return `${adapter.label} has no runtime weight`;
  if (change.weight < w.min || change.weight > w.max || (w.integer && !Number.isInteger(change.weight))) {
    return `${adapter.label} takes weights ${w.integer ? "(whole numbers) " : ""}from ${w.min} to ${w.max}`;
  }
  return null;
}

/** Whether a member as read back shows the change (the drift rule, server/domain/drift.ts). */
export function matches(adapter: TFrontendAdapter, change: TMemberChange, m: TObservedMember): boolean {
  const intent =
    change.kind === "state" ? { state: change.state, weight: null } : { state: null, weight: change.weight };
  return observedMatchesIntended(intent, m, (s) => adapter.observedStateFor(s));
}
