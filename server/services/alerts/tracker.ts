import crypto from "node:crypto";
import { ALERT_RULES, type TAlertRuleId, type TRuleSetting } from "@/server/domain/alert-rules";
import type { TCondition } from "@/server/services/alerts/conditions";

/**
 * Stable across restarts and instances: a hash of the sorted label pairs (alertname, cluster, severity
 * and the subject's labels), as Alertmanager fingerprints alerts by their label set.
 */
export function fingerprintOf(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join("\u0001");
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** One alert the tracker follows: pending (condition holds, delay not over) or firing. */
export interface TTrackedAlert {
  fingerprint: string;
  rule: TAlertRuleId;
  cluster: string;
  labels: Record<string, string>;
  summary: string;
  description: string;
  /** When the condition was first seen (ms). */
  activeSince: number;
  /** Set once it fired: the database row and its start (ms). */
  firing: { alertId: number; startsAt: number } | null;
}

export interface TStepResult {
  /** Pending alerts whose delay is over: to be written as firing. */
  fire: TTrackedAlert[];
  /** Firing alerts whose condition no longer holds: to be written as resolved. */
  resolve: TTrackedAlert[];
}

/**
 * The lifecycle pending → firing → resolved, one cluster at a time, in memory. Pure apart from its own
 * state: the engine hands in the conditions of one evaluation and writes what the step returns. A
 * pending alert whose condition clears is forgotten (it never fired, so nobody was told).
 */
export class AlertTracker {
  private readonly clusters = new Map<string, Map<string, TTrackedAlert>>();

  /** Full labels of a condition: what Alertmanager and webhooks receive. */
  static labelsOf(cluster: string, c: TCondition): Record<string, string> {
    const def = ALERT_RULES[c.rule];
    return { alertname: def.alertname, cluster, severity: def.severity, ...c.labels };
  }

  /**
   * Judges one evaluation. `ready`: every frontend and store node of the cluster has been polled since
   * the console started; until then an absent condition proves nothing, so firing alerts are kept.
   */
  step(
    cluster: string,
    conditions: readonly TCondition[],
    settings: Readonly<Record<TAlertRuleId, TRuleSetting>>,
    now: number,
    ready: boolean,
  ): TStepResult {
    const tracked = this.tracked(cluster);
    const seen = new Set<string>();
    const fire: TTrackedAlert[] = [];
    for (const c of conditions) {
      const labels = AlertTracker.labelsOf(cluster, c);
      const fp = fingerprintOf(labels);
      if (seen.has(fp)) continue;
      seen.add(fp);
      let a = tracked.get(fp);
      if (!a) {
        a = {
          fingerprint: fp,
          rule: c.rule,
          cluster,
          labels,
          summary: c.summary,
          description: c.description,
          activeSince: now,
          firing: null,
        };
        tracked.set(fp, a);
      } else if (!a.firing) {
        // Texts carry current figures (members left, items/s); a firing alert keeps the ones it was sent with.
        a.summary = c.summary;
        a.description = c.description;
      }
      if (!a.firing && now - a.activeSince >= settings[c.rule].forSeconds * 1000) fire.push(a);
    }
    const resolve: TTrackedAlert[] = [];
    for (const [fp, a] of tracked) {
      if (seen.has(fp)) continue;
      if (!a.firing) tracked.delete(fp);
      else if (ready) {
        tracked.delete(fp);
        resolve.push(a);
      }
    }
    return { fire, resolve };
  }

  /** Records that an alert was written as firing (its row). */
  markFiring(a: TTrackedAlert, alertId: number, startsAt: number): void {
    a.firing = { alertId, startsAt };
  }

  /** A firing alert found in the database at start: followed again, resolved once its condition is gone. */
  adopt(a: TTrackedAlert): void {
    this.tracked(a.cluster).set(a.fingerprint, a);
  }

  /** Forgets a pending alert that could not be written (it is judged again on the next evaluation). */
  drop(a: TTrackedAlert): void {
    this.clusters.get(a.cluster)?.delete(a.fingerprint);
  }

  /** Forgets a cluster that was deleted; returns its firing alerts (to be resolved). */
  forgetCluster(cluster: string): TTrackedAlert[] {
    const tracked = this.clusters.get(cluster);
    this.clusters.delete(cluster);
    return tracked ? [...tracked.values()].filter((a) => a.firing) : [];
  }

  clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  pending(cluster?: string): TTrackedAlert[] {
    return this.all(cluster).filter((a) => !a.firing);
  }

  firing(cluster?: string): TTrackedAlert[] {
    return this.all(cluster).filter((a) => a.firing);
  }

  private all(cluster?: string): TTrackedAlert[] {
    const maps = cluster === undefined ? [...this.clusters.values()] : [this.clusters.get(cluster) ?? new Map()];
    return maps.flatMap((m) => [...m.values()]);
  }

  private tracked(cluster: string): Map<string, TTrackedAlert> {
    let m = this.clusters.get(cluster);
    if (!m) this.clusters.set(cluster, (m = new Map()));
    return m;
  }
}
