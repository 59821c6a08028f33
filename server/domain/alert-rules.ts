/**
 * The alert rules the console evaluates, with their defaults. A cluster may override `enabled`,
 * `forSeconds` and the threshold of each (AlertRuleSetting); the settings page and the evaluator both
 * read this one list.
 */
export const ALERT_RULE_IDS = [
  "member-failing",
  "frontend-unreachable",
  "drift",
  "too-few-active",
  "member-split",
  "rollout-paused",
  "operation-failed",
  "store-node-down",
  "store-node-restarted",
  "store-node-evicting",
  "store-node-memory",
  "sessions-without-backup",
] as const;
export type TAlertRuleId = (typeof ALERT_RULE_IDS)[number];

export type TSeverity = "critical" | "warning";

export interface TThresholdDef {
  /** How the settings page names it: "fewer than K active members". */
  label: string;
  unit: string;
  min: number;
  max: number;
  integer: boolean;
}

export interface TAlertRuleDef {
  id: TAlertRuleId;
  /** The alertname label, as Alertmanager and Prometheus rules name alerts (CamelCase). */
  alertname: string;
  title: string;
  severity: TSeverity;
  /** What it watches, for the settings page. */
  about: string;
  defaults: { enabled: boolean; forSeconds: number; threshold: number | null };
  threshold: TThresholdDef | null;
}

export const ALERT_RULES: Record<TAlertRuleId, TAlertRuleDef> = {
  "member-failing": {
    id: "member-failing",
    alertname: "ClusterDeckMemberFailing",
    title: "Member failing",
    severity: "critical",
    about: "A member is failing (or in error awaiting a retry) on any frontend that would send it traffic.",
    defaults: { enabled: true, forSeconds: 30, threshold: null },
    threshold: null,
  },
  "frontend-unreachable": {
    id: "frontend-unreachable",
    alertname: "ClusterDeckFrontendUnreachable",
    title: "Frontend unreachable",
    severity: "critical",
    about: "A frontend's status page or API does not answer its polls.",
    defaults: { enabled: true, forSeconds: 30, threshold: null },
    threshold: null,
  },
  drift: {
    id: "drift",
    alertname: "ClusterDeckDrift",
    title: "Drift",
    severity: "warning",
    about: "A frontend shows a member in another state or weight than the one set through ClusterDeck.",
    defaults: { enabled: true, forSeconds: 60, threshold: null },
    threshold: null,
  },
  "too-few-active": {
    id: "too-few-active",
    alertname: "ClusterDeckTooFewActiveMembers",
    title: "Too few active members",
    severity: "critical",
    about: "Fewer members than the threshold take new sessions from every frontend (active and healthy).",
    defaults: { enabled: true, forSeconds: 30, threshold: 2 },
    threshold: { label: "fewer than K active members", unit: "members", min: 1, max: 10_000, integer: true },
  },
  "member-split": {
    id: "member-split",
    alertname: "ClusterDeckMemberSplit",
    title: "Member active on some frontends, stopped on others",
    severity: "warning",
    about: "A member is active on some frontends and stopped or disabled on others.",
    defaults: { enabled: true, forSeconds: 60, threshold: null },
    threshold: null,
  },
  "rollout-paused": {
    id: "rollout-paused",
    alertname: "ClusterDeckRolloutPaused",
    title: "Rollout paused",
    severity: "warning",
    about:
      "A rolling deploy paused: a failed deploy, health gate or weight step, a wait that timed out, or an operator.",
    defaults: { enabled: true, forSeconds: 0, threshold: null },
    threshold: null,
  },
  "operation-failed": {
    id: "operation-failed",
    alertname: "ClusterDeckOperationFailed",
    title: "Operation failed",
    severity: "warning",
    about: "The latest operation on a target (evacuate, replace, expire) failed; it clears when a newer one succeeds.",
    defaults: { enabled: true, forSeconds: 0, threshold: null },
    threshold: null,
  },
  "store-node-down": {
    id: "store-node-down",
    alertname: "ClusterDeckStoreNodeDown",
    title: "Store node down",
    severity: "critical",
    about:
      "A session store node (memcached, Redis, the JDBC store's database, a Tomcat's Manager) does not answer its stats polls.",
    defaults: { enabled: true, forSeconds: 30, threshold: null },
    threshold: null,
  },
  "store-node-restarted": {
    id: "store-node-restarted",
    alertname: "ClusterDeckStoreNodeRestarted",
    title: "Store node restarted",
    severity: "critical",
    about:
      "A store node restarted (its uptime went back) within the last 30 minutes: the sessions it held may be gone.",
    defaults: { enabled: true, forSeconds: 0, threshold: null },
    threshold: null,
  },
  "store-node-evicting": {
    id: "store-node-evicting",
    alertname: "ClusterDeckStoreNodeEvicting",
    title: "Store node evicting",
    severity: "critical",
    about: "A store node evicts items to make room: it is out of memory and drops sessions.",
    defaults: { enabled: true, forSeconds: 0, threshold: null },
    threshold: null,
  },
  "store-node-memory": {
    id: "store-node-memory",
    alertname: "ClusterDeckStoreNodeMemoryHigh",
    title: "Store node memory high",
    severity: "warning",
    about: "A store node uses more than the threshold of its memory limit; it will evict sessions when full.",
    defaults: { enabled: true, forSeconds: 60, threshold: 90 },
    threshold: { label: "memory used above X% of the limit", unit: "percent", min: 1, max: 100, integer: false },
  },
  "sessions-without-backup": {
    id: "sessions-without-backup",
    alertname: "ClusterDeckSessionsWithoutBackup",
    title: "Sessions without a backup copy",
    severity: "critical",
    about: "A store node is down and more than the threshold of its sessions have no backup copy anywhere.",
    defaults: { enabled: true, forSeconds: 0, threshold: 0 },
    threshold: {
      label: "more than X sessions without a backup",
      unit: "sessions",
      min: 0,
      max: 100_000_000,
      integer: true,
    },
  },
};

/** Longest delay a rule may have: one day. */
export const MAX_FOR_SECONDS = 86_400;

/** Why a threshold is not acceptable for a rule, or null when it is. */
export function thresholdProblem(rule: TAlertRuleId, value: number | null): string | null {
  const def = ALERT_RULES[rule].threshold;
  if (def === null) return value === null ? null : `${ALERT_RULES[rule].title} has no threshold`;
  if (value === null) return `${ALERT_RULES[rule].title} needs a threshold (${def.label})`;
  if (def.integer && !Number.isInteger(value)) return `The threshold is a whole number of ${def.unit}`;
  if (value < def.min || value > def.max) return `The threshold is between ${def.min} and ${def.max} ${def.unit}`;
  return null;
}

/** A rule's effective setting for one cluster: its defaults, overridden by the cluster's own row. */
export interface TRuleSetting {
  enabled: boolean;
  forSeconds: number;
  threshold: number | null;
}

export function defaultRuleSettings(): Record<TAlertRuleId, TRuleSetting> {
  const out = {} as Record<TAlertRuleId, TRuleSetting>;
  for (const id of ALERT_RULE_IDS) out[id] = { ...ALERT_RULES[id].defaults };
  return out;
}
