import { ALERT_RULES, type TAlertRuleId, type TRuleSetting } from "@/server/domain/alert-rules";
import { isActiveMember, isFailingReading, isSplitMember } from "@/server/domain/member-condition";
import { RESTART_SHOWN_MS } from "@/server/domain/store-health";
import type { TClusterView } from "@/server/services/clusters/cluster-view";
import type { TStoreNodeLive } from "@/server/store-poller/store-live-state";

/** A rollout that is not finished, as the rollout events last told it. */
export interface TOpenRollout {
  id: number;
  state: string;
  message: string | null;
}

/** The latest operation on one target of one kind, when it failed. */
export interface TFailedOperation {
  id: number;
  kind: string;
  target: string;
  message: string | null;
}

/** Everything one cluster's evaluation reads: all in memory. */
export interface TClusterFacts {
  view: TClusterView;
  storeNodes: readonly TStoreNodeLive[];
  rollouts: readonly TOpenRollout[];
  failedOperations: readonly TFailedOperation[];
  settings: Readonly<Record<TAlertRuleId, TRuleSetting>>;
  /** When each member's intended state was last recorded (ms), by member name. */
  intendedAt: ReadonlyMap<string, number>;
  now: number;
}

/**
 * One condition that holds now. `labels` name its subject (member, frontend, store, node, …) and are
 * bounded: names an operator set and fixed words, never a session id. alertname, cluster and severity
 * are added by the tracker.
 */
export interface TCondition {
  rule: TAlertRuleId;
  labels: Record<string, string>;
  summary: string;
  description: string;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * Every enabled rule over one cluster's facts. Pure: the same facts give the same conditions, so the
 * tracker can judge "still holds" by fingerprint. Rules with nothing known (no fresh reading, a store
 * node never polled) say nothing rather than guess.
 */
export function evaluateConditions(f: TClusterFacts): TCondition[] {
  const out: TCondition[] = [];
  const on = (rule: TAlertRuleId) => f.settings[rule].enabled;
  const { view } = f;
  const frontendName = new Map(view.frontends.map((fe) => [fe.id, fe.name]));
  // When each frontend's last reading was taken: a reading older than an intent cannot show drift from it
  // (right after an action every frontend still shows the old state until its next poll).
  const readAt = new Map(
    view.frontends.map((fe) => [fe.id, fe.lastPollAt ? fe.lastPollAt.getTime() - (fe.durationMs ?? 0) : 0]),
  );

  if (on("frontend-unreachable"))
    for (const fe of view.frontends) {
      if (!fe.enabled || fe.up !== false) continue;
      out.push({
        rule: "frontend-unreachable",
        labels: { frontend: fe.name },
        summary: `Frontend ${fe.name} does not answer its polls`,
        description: `ClusterDeck cannot read ${fe.name} (${fe.kindLabel}): ${fe.error ?? "no answer"}. Its members' states shown are its last good reading and actions on it fail. Check that the balancer runs and that its status page or API is reachable from the console.`,
      });
    }

  let active = 0;
  let known = 0;
  for (const m of view.members) {
    const readings = m.states.map((s) => (s ? { adminState: s.adminState, health: s.health, stale: s.stale } : null));
    const isActive = isActiveMember(readings);
    if (isActive !== null) known++;
    if (isActive) active++;
    m.states.forEach((s, i) => {
      if (!s) return;
      const frontend = frontendName.get(s.frontendId) ?? view.frontends[i]?.name ?? String(s.frontendId);
      if (on("member-failing") && isFailingReading(s))
        out.push({
          rule: "member-failing",
          labels: { member: m.name, frontend },
          summary: `Member ${m.name} is failing on ${frontend}`,
          description: `${frontend} marks ${m.name} ${s.health} while it would send it traffic (${s.adminState}). Check the Tomcat (process, logs, its HTTP/AJP port); if it is down on purpose, stop or disable it through ClusterDeck so the balancers stop trying it.`,
        });
      if (on("drift") && s.drifted && !s.stale && (readAt.get(s.frontendId) ?? 0) > (f.intendedAt.get(m.name) ?? 0))
        out.push({
          rule: "drift",
          labels: { member: m.name, frontend },
          summary: `${frontend} shows ${m.name} ${s.adminState} (weight ${s.loadfactor}), not what was set through ClusterDeck`,
          description: `ClusterDeck set ${m.name} to ${m.intendedState ?? "its state"}${m.intendedWeight !== null ? ` at weight ${m.intendedWeight}` : ""}, but ${frontend} shows otherwise, typically after a balancer restart or reload forgot runtime changes. Re-apply from the member's row (or turn on automatic re-apply for the cluster), or record the new state if it was changed on purpose.`,
        });
    });
    if (on("member-split") && isSplitMember(readings)) {
      const where = (wanted: (a: string) => boolean) =>
        m.states
          .map((s, i) => (s && !s.stale && wanted(s.adminState) ? view.frontends[i]?.name : null))
          .filter((n): n is string => !!n)
          .join(", ");
      out.push({
        rule: "member-split",
        labels: { member: m.name },
        summary: `${m.name} is active on ${where((a) => a === "active")} but taken out on ${where((a) => a === "stopped" || a === "disabled")}`,
        description: `The frontends disagree about ${m.name}: some send it traffic, others none. Users routed by the latter lose their sticky sessions on it. Apply one state on every frontend from the member's row.`,
      });
    }
  }
  const k = f.settings["too-few-active"].threshold ?? 0;
  if (on("too-few-active") && known > 0 && active < k)
    out.push({
      rule: "too-few-active",
      labels: {},
      summary: `Only ${active} of ${view.members.length} members of ${view.cluster.name} take new sessions (fewer than ${k})`,
      description: `Fewer than ${k} members are active and healthy on every frontend. One more failure or drain may leave users without a server. Bring drained or stopped members back, or look at the failing ones, before any further maintenance.`,
    });

  for (const n of f.storeNodes) out.push(...storeNodeConditions(n, f));

  if (on("rollout-paused"))
    for (const r of f.rollouts) {
      if (r.state !== "paused") continue;
      out.push({
        rule: "rollout-paused",
        labels: { rollout: String(r.id) },
        summary: `Rolling deploy #${r.id} of ${view.cluster.name} is paused`,
        description: `${r.message ?? "It paused."} Open the rollout page: resume, continue or abort it. Until then the member it was on may stay drained or stopped.`,
      });
    }
  if (on("operation-failed"))
    for (const o of f.failedOperations)
      out.push({
        rule: "operation-failed",
        labels: { operation: o.kind, target: o.target },
        summary: `Operation ${o.kind} on ${o.target} failed`,
        description: `${o.message ?? "It failed."} Its report (operation #${o.id}) lists what was done and what was not; nothing was deleted. Run it again once the cause is fixed; a newer successful run clears this alert.`,
      });
  return out;
}

function storeNodeConditions(n: TStoreNodeLive, f: TClusterFacts): TCondition[] {
  const out: TCondition[] = [];
  const on = (rule: TAlertRuleId) => f.settings[rule].enabled;
  const labels = { store: n.store, node: n.node };
  const where = `${n.node} of store ${n.store} (${n.host}:${n.port})`;
  if (on("store-node-down") && n.up === false)
    out.push({
      rule: "store-node-down",
      labels,
      summary: `Store node ${n.node} of ${n.store} is down`,
      description: `${where} does not answer: ${n.error ?? "no reply"}. The applications fall back to other nodes where the store keeps backups; sessions held only there are unreachable. Bring it back (with its data if it persists any) or evacuate/replace it from the sessions page.`,
    });
  if (on("sessions-without-backup") && n.up === false && n.sessionsWithoutBackup !== null) {
    const x = f.settings["sessions-without-backup"].threshold ?? 0;
    if (n.sessionsWithoutBackup > x)
      out.push({
        rule: "sessions-without-backup",
        labels,
        summary: `${fmt(n.sessionsWithoutBackup)} sessions on ${n.node} of ${n.store} have no backup copy`,
        description: `${where} is down and ${fmt(n.sessionsWithoutBackup)} of the sessions it held have no backup anywhere: those users lose their session unless the node comes back with its data. Restart it first; do not flush it.`,
      });
  }
  if (on("store-node-restarted") && n.restart && f.now - n.restart.at < RESTART_SHOWN_MS)
    out.push({
      rule: "store-node-restarted",
      labels,
      summary: `Store node ${n.node} of ${n.store} restarted at ${new Date(n.restart.at).toISOString().slice(11, 16)} UTC`,
      description: `${n.warnings.find((w) => w.code === "restarted")?.message ?? `${where} restarted.`} This alert resolves 30 minutes after the restart.`,
    });
  if (on("store-node-evicting") && n.up === true && (n.rates?.evictionsPerSec ?? 0) > 0)
    out.push({
      rule: "store-node-evicting",
      labels,
      summary: `Store node ${n.node} of ${n.store} is evicting items`,
      description: `${where} evicts ${(n.rates?.evictionsPerSec ?? 0).toFixed(1)} items/s: it is out of memory and drops sessions to make room. Give it more memory (memcached -m, Redis maxmemory) or add a node.`,
    });
  const used = n.reading?.memoryUsedBytes ?? null;
  const limit = n.reading?.memoryLimitBytes ?? null;
  const x = f.settings["store-node-memory"].threshold ?? 100;
  if (on("store-node-memory") && n.up === true && used !== null && limit && (used / limit) * 100 > x)
    out.push({
      rule: "store-node-memory",
      labels,
      summary: `Store node ${n.node} of ${n.store} uses ${Math.round((used / limit) * 100)}% of its memory limit`,
      description: `${where} is above ${x}% of its memory limit; when it is full it evicts sessions. Raise the limit or add a node before it does.`,
    });
  return out;
}

/** The severity label of a rule (the definitions own it). */
export const severityOf = (rule: TAlertRuleId) => ALERT_RULES[rule].severity;
