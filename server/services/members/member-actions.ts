import { rememberLeavingMember } from "@/server/services/sessions/rehoming";
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
import {
  describeSetting,
  kindSettingProblem,
  settingShows,
  type TMemberSettingChange,
  type TObservedSettings,
} from "@/server/domain/member-settings";

/** A change that is recorded as the member's intent (drift and re-apply compare frontends with it). */
export type TIntentChange = { kind: "state"; state: TAdminState } | { kind: "weight"; weight: number };
/** One change to one member, the same on every frontend; a setting has no intent, only its read-back. */
export type TMemberChange = TIntentChange | { kind: "setting"; setting: TMemberSettingChange };

export type TFrontendOutcome = "done" | "failed" | "not-verified" | "unsupported" | "not-routed";

export interface TFrontendActionResult {
  frontendId: number;
  frontend: string;
  kind: string;
  outcome: TFrontendOutcome;
  /** The frontend's own words when it failed, or what we saw when the read-back did not match. */
  message: string | null;
  observed: { adminState: TAdminState; loadfactor: number; settings?: TObservedSettings } | null;
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
  if (change.kind === "setting") return describeSetting(change.setting);
  return change.kind === "state" ? `state ${change.state}` : `weight ${change.weight}`;
}

/** The audit action of a change: member.<verb>, member.setWeight or member.setSetting. */
function actionOf(change: TMemberChange): string {
  if (change.kind === "state") return `member.${VERB_FOR_STATE[change.state]}`;
  return change.kind === "weight" ? "member.setWeight" : "member.setSetting";
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
  const action = opts.auditAction ?? actionOf(change);
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
  if (change.kind === "setting")
    await refuseUnsupportedSetting(db, clusterName, memberName, action, frontends, change, opts);
  const shownBefore = new Map<string, string | number | null>();
  const results = await Promise.all(frontends.map((f) => applyOnFrontend(f, member, change, shownBefore)));
  const confirmed = results.filter((r) => r.outcome === "done").length;
  const relevant = results.filter((r) => r.outcome !== "not-routed" && r.outcome !== "unsupported").length;
  const overall = relevant > 0 && confirmed === relevant ? "done" : confirmed > 0 ? "partial" : "failed";

  const { before, after } = auditValues(member, change, shownBefore);
  // Settings have no intended value: drift is about admin state and weight (domain/drift.ts).
  if (opts.recordIntent !== false && change.kind !== "setting") {
    // The operator's intent is kept even when a frontend failed: drift then shows where it is not applied.
    const intendedAt = new Date();
    await db.member.update({
      where: { id: member.id },
      data: {
        ...(change.kind === "state" ? { intendedState: change.state } : { intendedWeight: change.weight }),
        intendedAt,
        intendedBy: opts.actor ?? opts.principal?.username ?? null,
      },
    });
    emitEvent("intent-changed", { clusterId: cluster.id });
    // Its sessions as the index has them now: the re-homing view recognises them once renamed elsewhere.
    if (change.kind === "state" && change.state !== "active")
      await rememberLeavingMember(db, clusterName, member.route, intendedAt).catch(() => undefined);
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

/**
 * A setting no selected frontend's kind has (a cluster behind HAProxy or nginx only) is refused as a whole,
 * with each kind's reason, before anything is read or sent; otherwise those frontends answer "unsupported".
 */
async function refuseUnsupportedSetting(
  db: TDb,
  clusterName: string,
  memberName: string,
  action: string,
  frontends: ReadonlyArray<{ name: string; kind: string }>,
  change: Extract<TMemberChange, { kind: "setting" }>,
  opts: TActionOptions,
): Promise<void> {
  const reasons = frontends.map((f) => ({
    frontend: f.name,
    reason: unsupportedReason(getFrontendAdapter(f.kind), change),
  }));
  if (reasons.some((r) => r.reason === null)) return;
  await recordAudit(db, {
    principal: opts.principal,
    actor: opts.actor,
    ip: opts.ip,
    action,
    cluster: clusterName,
    target: memberName,
    result: "denied",
    details: { reason: "no frontend has this setting", change, frontends: reasons },
  });
  const why = reasons.map((r) => `${r.frontend}: ${r.reason}`).join("; ");
  throw new AppError(
    "INVALID_INPUT",
    `No frontend of ${clusterName} can change ${change.setting.name}${why ? ` (${why})` : ""}; nothing was sent.`,
    { setting: change.setting.name, frontends: reasons },
  );
}

/**
 * before/after of the audit entry. For a state or weight, the intent; for a setting, the value each frontend
 * showed before the change and the value asked for (there is no intent to compare with).
 */
function auditValues(
  member: { intendedState: string; intendedWeight: number | null },
  change: TMemberChange,
  shownBefore: ReadonlyMap<string, string | number | null>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const intent = { state: member.intendedState, weight: member.intendedWeight };
  if (change.kind === "state") return { before: intent, after: { ...intent, state: change.state } };
  if (change.kind === "weight") return { before: intent, after: { ...intent, weight: change.weight } };
  const name = change.setting.name;
  return { before: { [name]: Object.fromEntries(shownBefore) }, after: { [name]: change.setting.value } };
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
  shownBefore: Map<string, string | number | null>,
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
    observed: observed
      ? {
          adminState: observed.adminState,
          loadfactor: observed.loadfactor,
          ...(observed.settings ? { settings: observed.settings } : {}),
        }
      : null,
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
  if (change.kind === "setting") shownBefore.set(f.name, observed.settings?.[change.setting.name] ?? null);

  try {
    if (change.kind === "state") await adapter.setAdminState(toTarget(f), balancer, observed.key, change.state);
    else if (change.kind === "weight") await adapter.setWeight(toTarget(f), balancer, observed.key, change.weight);
    else await sendSetting(adapter, toTarget(f), balancer, observed.key, change.setting);
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
  const saw = !last
    ? "the member is no longer listed"
    : change.kind === "setting"
      ? `it still shows ${change.setting.name} ${JSON.stringify(last.settings?.[change.setting.name] ?? null)}`
      : `it still shows ${last.adminState}, weight ${last.loadfactor}`;
  return result(
    "not-verified",
    lastError ?? `${f.name} accepted the request but ${saw} after ${VERIFY_TIMEOUT_MS / 1000} s`,
    last ?? null,
  );
}

/**
 * A setting goes only to a kind that declares it; the adapter checks the value against its own limits and
 * throws INVALID_INPUT before sending (reported as failed for that frontend, never silently skipped).
 */
async function sendSetting(
  adapter: TFrontendAdapter,
  target: ReturnType<typeof toTarget>,
  balancer: TBalancerSnapshot,
  memberKey: string,
  setting: TMemberSettingChange,
): Promise<void> {
  const problem = kindSettingProblem(adapter.capabilities.memberSettings, adapter.label, setting.name, setting.value);
  if (problem) throw new AppError("INVALID_INPUT", problem, { setting: setting.name, value: setting.value });
  if (!adapter.setMemberSetting) throw new AppError("INVALID_INPUT", `${adapter.label} cannot change member settings`);
  await adapter.setMemberSetting(target, balancer, memberKey, setting.name, setting.value);
}

export function unsupportedReason(adapter: TFrontendAdapter, change: TMemberChange): string | null {
  if (change.kind === "setting") {
    if (adapter.setMemberSetting && adapter.capabilities.memberSettings?.[change.setting.name]) return null;
    const why = adapter.capabilities.settingsNote;
    return why ?? `${adapter.label} has no ${change.setting.name} setting`;
  }
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
  if (change.kind === "setting") return settingShows(m.settings, change.setting);
  const intent =
    change.kind === "state" ? { state: change.state, weight: null } : { state: null, weight: change.weight };
  return observedMatchesIntended(intent, m, (s) => adapter.observedStateFor(s));
}
