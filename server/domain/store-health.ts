/**
 * Health of a session store node, judged from its stats polls: one set of rules that the dashboard,
 * the sessions page and (later) alerts all read. Pure: the poller hands in what it measured and what the
 * session index knows about the node's sessions.
 */

export const STORE_NODE_STATES = ["ok", "warning", "down"] as const;
export type TStoreNodeState = (typeof STORE_NODE_STATES)[number];

export const STORE_WARNING_CODES = [
  "down",
  "restarted",
  "evicting",
  "memory",
  "eviction-policy",
  "hit-ratio",
  "no-backup",
] as const;
export type TStoreWarningCode = (typeof STORE_WARNING_CODES)[number];

export interface TStoreWarning {
  code: TStoreWarningCode;
  severity: "critical" | "warning";
  message: string;
}

/** Memory above this share of the node's limit is a warning. */
export const MEMORY_WARNING_RATIO = 0.9;
/** A restart is reported this long after it happened. */
export const RESTART_SHOWN_MS = 30 * 60_000;
/** The hit ratio "collapses" when it falls below this share of its usual level... */
export const HIT_RATIO_COLLAPSE = 0.5;
/** ...which must itself be at least this (a store that usually misses is not collapsing)... */
export const HIT_RATIO_USUAL_MIN = 0.8;
/** ...over an interval with at least this many lookups (a quiet node's ratio says nothing). */
export const HIT_RATIO_MIN_LOOKUPS = 20;
/** Weight of the newest interval in the usual hit ratio (exponential moving average). */
export const HIT_RATIO_SMOOTHING = 0.2;

/** What the session index knew about the node's sessions when it restarted (null: no scan of it then). */
export interface TRestartImpact {
  /** When it came back up (now − uptime). */
  at: number;
  /** Sessions whose primary copy the node held. */
  lostPrimaries: number | null;
  perRoute: Record<string, number>;
  /** Where the application falls back to for them (MSM: the node with their bak: pair); null: nowhere. */
  fallback: string | null;
  /** Of those, how many had a backup copy there. */
  withBackup: number | null;
  /** Items the node held before and after: a node that kept its data (persistence) lost nothing. */
  itemsBefore: number | null;
  itemsAfter: number | null;
}

export interface TStoreHealthInput {
  node: string;
  up: boolean;
  error: string | null;
  /** Items, memory and limit of the last good reading. */
  memoryUsedBytes: number | null;
  memoryLimitBytes: number | null;
  evictingPolicy: string | null;
  evictionsPerSec: number | null;
  /** Since when evictions have been rising (ms), for the message. */
  evictingSince: number | null;
  hitRatio: number | null;
  lookups: number | null;
  usualHitRatio: number | null;
  restart: TRestartImpact | null;
  /** The node is down and the index knows sessions on it: those with no backup copy anywhere. */
  sessionsWithoutBackup: number | null;
  fallback: string | null;
  now: number;
}

const fmt = (n: number) => n.toLocaleString("en-US");
const pct = (r: number) => `${Math.round(r * 100)}%`;
const gib = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${Math.round(b / 2 ** 20)} MiB`);
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** Did the node restart between two polls? Uptime went back, or (without uptime) a counter did. */
export function detectRestart(
  prev: { uptimeSeconds: number | null; counters: Record<string, number | undefined>; at: number } | null,
  next: { uptimeSeconds: number | null; counters: Record<string, number | undefined>; at: number },
): boolean {
  if (!prev) return false;
  if (prev.uptimeSeconds !== null && next.uptimeSeconds !== null) {
    // Uptime grows with the clock; a second of slack for rounding between the two readings.
    const expected = prev.uptimeSeconds + (next.at - prev.at) / 1000;
    return next.uptimeSeconds + 1 < Math.min(prev.uptimeSeconds, expected);
  }
  return Object.entries(next.counters).some(([k, v]) => v !== undefined && (prev.counters[k] ?? 0) > v);
}

/** Per-second rate of a cumulative counter over an interval; null on a reset (restart) or without data. */
export function counterRate(prev: number | undefined, next: number | undefined, seconds: number): number | null {
  if (prev === undefined || next === undefined || seconds <= 0 || next < prev) return null;
  return (next - prev) / seconds;
}

/** Hit ratio over an interval from hit/miss counter deltas; null when nothing was looked up. */
export function intervalHitRatio(
  dHits: number | null,
  dMisses: number | null,
): { ratio: number | null; lookups: number } {
  if (dHits === null || dMisses === null) return { ratio: null, lookups: 0 };
  const lookups = dHits + dMisses;
  return { ratio: lookups > 0 ? dHits / lookups : null, lookups };
}

/** The usual hit ratio after one more interval (intervals with too few lookups do not move it). */
export function nextUsualHitRatio(usual: number | null, ratio: number | null, lookups: number): number | null {
  if (ratio === null || lookups < HIT_RATIO_MIN_LOOKUPS) return usual;
  return usual === null ? ratio : usual + HIT_RATIO_SMOOTHING * (ratio - usual);
}

function restartMessage(node: string, r: TRestartImpact, now: number): string {
  const ago = Math.max(0, Math.round((now - r.at) / 60_000));
  const head = `${node} restarted at ${clock(r.at)} UTC (${ago} min ago)`;
  if (r.itemsBefore !== null && r.itemsAfter !== null && r.itemsBefore > 0 && r.itemsAfter >= 0.9 * r.itemsBefore)
    return `${head} and kept its data (${fmt(r.itemsAfter)} items): no session lost its copy.`;
  if (r.lostPrimaries === null)
    return `${head}: the sessions it held lost their primary copy${r.itemsBefore ? ` (${fmt(r.itemsBefore)} items were there)` : ""}; no session scan had counted them.`;
  const routes = Object.entries(r.perRoute)
    .filter(([, n]) => n > 0)
    .map(([route, n]) => `${route}: ${fmt(n)}`)
    .join(", ");
  const who = routes ? ` (users of ${routes})` : "";
  if (r.fallback === null)
    return `${head}: ${fmt(r.lostPrimaries)} sessions lost their only copy${who}; those users start over.`;
  const backed =
    r.withBackup === null
      ? ""
      : `; ${fmt(r.withBackup)} have their backup there, ${fmt(r.lostPrimaries - r.withBackup)} have none and are lost`;
  return `${head}: ${fmt(r.lostPrimaries)} sessions lost their primary copy${who}; they fall back to ${r.fallback}${backed}.`;
}

/** Every rule over one node; the state is the worst of its warnings. */
export function evaluateStoreNodeHealth(i: TStoreHealthInput): { state: TStoreNodeState; warnings: TStoreWarning[] } {
  const warnings: TStoreWarning[] = [];
  if (!i.up) {
    warnings.push({
      code: "down",
      severity: "critical",
      message: `${i.node} does not answer: ${i.error ?? "no reply"}`,
    });
    if (i.sessionsWithoutBackup !== null && i.sessionsWithoutBackup > 0)
      warnings.push({
        code: "no-backup",
        severity: "critical",
        message: `${i.node} is down and ${fmt(i.sessionsWithoutBackup)} of its sessions have no backup copy${i.fallback ? ` on ${i.fallback}` : ""}: they are lost unless it comes back with its data.`,
      });
  }
  if (i.restart && i.now - i.restart.at < RESTART_SHOWN_MS)
    warnings.push({ code: "restarted", severity: "critical", message: restartMessage(i.node, i.restart, i.now) });
  if (i.up && i.evictionsPerSec !== null && i.evictionsPerSec > 0)
    warnings.push({
      code: "evicting",
      severity: "critical",
      message: `${i.node} is evicting items (${i.evictionsPerSec.toFixed(1)}/s${i.evictingSince ? ` since ${clock(i.evictingSince)} UTC` : ""}): it is out of memory and drops sessions to make room.`,
    });
  if (i.memoryUsedBytes !== null && i.memoryLimitBytes && i.memoryUsedBytes / i.memoryLimitBytes > MEMORY_WARNING_RATIO)
    warnings.push({
      code: "memory",
      severity: "warning",
      message: `${i.node} uses ${pct(i.memoryUsedBytes / i.memoryLimitBytes)} of its ${gib(i.memoryLimitBytes)} limit: it will evict sessions when it is full.`,
    });
  if (i.evictingPolicy)
    warnings.push({
      code: "eviction-policy",
      severity: "warning",
      message: `${i.node} has maxmemory-policy ${i.evictingPolicy}: when memory is full it evicts keys, session keys included. Sessions need noeviction.`,
    });
  if (
    i.up &&
    i.hitRatio !== null &&
    i.usualHitRatio !== null &&
    (i.lookups ?? 0) >= HIT_RATIO_MIN_LOOKUPS &&
    i.usualHitRatio >= HIT_RATIO_USUAL_MIN &&
    i.hitRatio < HIT_RATIO_COLLAPSE * i.usualHitRatio
  )
    warnings.push({
      code: "hit-ratio",
      severity: "warning",
      message: `${i.node}'s hit ratio fell to ${pct(i.hitRatio)} (usually ${pct(i.usualHitRatio)}): sessions are being looked for and not found.`,
    });
  const state: TStoreNodeState = !i.up ? "down" : warnings.length > 0 ? "warning" : "ok";
  return { state, warnings };
}
