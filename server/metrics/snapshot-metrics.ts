import { ADMIN_STATES, HEALTHS } from "@/server/domain/member-state";
import { isActiveMember } from "@/server/domain/member-condition";
import type { TClusterView, TRollupHealth } from "@/server/services/clusters/cluster-view";
import { ExpositionWriter, counter, gauge, labelText, type TFamilyDef } from "@/server/metrics/exposition";
import type { MonotonicCounters, TMemberCounter } from "@/server/metrics/monotonic-counters";
import type { WorkStates } from "@/server/metrics/work-states";

/** What one scrape reads: all of it in memory. */
export interface TSnapshotInput {
  views: readonly TClusterView[];
  counters: MonotonicCounters;
  work: WorkStates;
  /** Sessions per route from the cluster's session index, or null before its first scan. */
  sessions(cluster: string): { scannedAt: number; total: number; byRoute: ReadonlyMap<string, number> } | null;
  nowMs: number;
}

const CLUSTER_HEALTHS: readonly TRollupHealth[] = ["healthy", "degraded", "failing", "unknown", "empty"];

/** Every family produced from the snapshot, in the order printed. docs/ and the README list the same names. */
export const SNAPSHOT_FAMILIES: readonly TFamilyDef[] = [
  gauge(
    "clusterdeck_member_admin_state",
    "Admin state of a member on a frontend, as a state set: 1 for the current state, 0 for the others (active, draining, disabled, stopped, standby).",
  ),
  gauge(
    "clusterdeck_member_health",
    "Health of a member as the frontend sees it, as a state set (healthy, failing, recovering, unknown; unknown while the frontend does not answer).",
  ),
  gauge(
    "clusterdeck_member_weight",
    "Weight of a member on a frontend as the frontend shows it (balancer-manager loadfactor, mod_jk lbfactor, HAProxy or nginx weight).",
  ),
  gauge("clusterdeck_member_busy", "Requests a frontend has in flight to a member now."),
  gauge(
    "clusterdeck_member_drifted",
    "1 when the frontend shows the member in another admin state or weight than the one set through ClusterDeck.",
  ),
  gauge(
    "clusterdeck_member_reading_stale",
    "1 when the frontend did not answer its last poll and the member's values are its last good reading.",
  ),
  counter(
    "clusterdeck_member_requests_total",
    "Requests a frontend sent to a member (times it chose it), kept monotonic across balancer restarts.",
  ),
  counter(
    "clusterdeck_member_errors_total",
    "Errors a frontend counted for a member, kept monotonic across balancer restarts (mod_jk and HAProxy count them; balancer-manager and nginx do not, so they have no series).",
  ),
  counter(
    "clusterdeck_member_sent_bytes_total",
    "Bytes a frontend sent to a member, kept monotonic across balancer restarts.",
  ),
  counter(
    "clusterdeck_member_received_bytes_total",
    "Bytes a frontend read from a member, kept monotonic across balancer restarts.",
  ),
  gauge(
    "clusterdeck_member_intended_state",
    "The admin state last set for a member through ClusterDeck, as a state set (members of the inventory only).",
  ),
  gauge(
    "clusterdeck_member_intended_weight",
    "The weight last set for a member through ClusterDeck (absent when none was set).",
  ),
  gauge(
    "clusterdeck_member_sessions",
    "Sessions whose route is the member, from the cluster's session index (as old as clusterdeck_session_index_age_seconds).",
  ),
  gauge(
    "clusterdeck_frontend_up",
    "1 when the frontend's last poll succeeded, 0 when it failed (absent before its first poll).",
  ),
  gauge("clusterdeck_frontend_last_success_timestamp_seconds", "When the frontend last answered a poll (Unix time)."),
  gauge("clusterdeck_cluster_members", "Members of the cluster (the inventory's and any a frontend routes to)."),
  gauge(
    "clusterdeck_cluster_active_members",
    "Members that take new sessions from every answering frontend that lists them (active and healthy there).",
  ),
  gauge(
    "clusterdeck_cluster_health",
    "The cluster's rolled-up health as the dashboard shows it, as a state set (healthy, degraded, failing, unknown, empty).",
  ),
  gauge(
    "clusterdeck_session_index_age_seconds",
    "Seconds since the cluster's session index was scanned (the age of clusterdeck_member_sessions).",
  ),
  gauge("clusterdeck_session_index_sessions", "Sessions in the cluster's session index (every store, every route)."),
  gauge("clusterdeck_rollouts", "Rolling deploys in each state (running, paused, done, aborted)."),
  gauge(
    "clusterdeck_operations",
    "Operations (evacuate, replace, expire) in each state (pending, running, done, failed).",
  ),
];

const COUNTERS: ReadonlyArray<[string, TMemberCounter]> = [
  ["clusterdeck_member_requests_total", "requests"],
  ["clusterdeck_member_errors_total", "errors"],
  ["clusterdeck_member_sent_bytes_total", "bytesOut"],
  ["clusterdeck_member_received_bytes_total", "bytesIn"],
];

// State-set label suffixes, escaped once.
const ADMIN_SUFFIX = ADMIN_STATES.map((s) => `,state="${s}"`);
const HEALTH_SUFFIX = HEALTHS.map((s) => `,state="${s}"`);

/**
 * The exposition of every member, frontend and cluster metric, from the views in one pass: each
 * reading's label text is built once and shared by all its families.
 */
export function writeSnapshot(input: TSnapshotInput): string {
  const w = new ExpositionWriter(SNAPSHOT_FAMILIES);
  for (const v of input.views) {
    const cluster = v.cluster.name;
    const cl = labelText([["cluster", cluster]]);
    const frontendLabels = v.frontends.map((f) => labelText([["frontend", f.name]]));
    const index = input.sessions(cluster);
    let active = 0;
    for (const m of v.members) {
      const ml = labelText([["member", m.name]]);
      for (let i = 0; i < m.states.length; i++) {
        const s = m.states[i];
        if (!s) continue;
        const l = `${cl},${frontendLabels[i]},${ml}`;
        for (let k = 0; k < ADMIN_STATES.length; k++)
          w.sample("clusterdeck_member_admin_state", l + ADMIN_SUFFIX[k], s.adminState === ADMIN_STATES[k] ? 1 : 0);
        for (let k = 0; k < HEALTHS.length; k++)
          w.sample("clusterdeck_member_health", l + HEALTH_SUFFIX[k], s.health === HEALTHS[k] ? 1 : 0);
        w.sample("clusterdeck_member_weight", l, s.loadfactor);
        w.sample("clusterdeck_member_busy", l, s.busy);
        w.sample("clusterdeck_member_drifted", l, s.drifted ? 1 : 0);
        w.sample("clusterdeck_member_reading_stale", l, s.stale ? 1 : 0);
        for (const [family, counter] of COUNTERS) {
          const value = input.counters.value(s.frontendId, s.key, counter);
          if (value !== undefined) w.sample(family, l, value);
        }
      }
      if (m.intendedState !== null)
        for (let k = 0; k < ADMIN_STATES.length; k++)
          w.sample(
            "clusterdeck_member_intended_state",
            `${cl},${ml}${ADMIN_SUFFIX[k]}`,
            m.intendedState === ADMIN_STATES[k] ? 1 : 0,
          );
      if (m.intendedWeight !== null) w.sample("clusterdeck_member_intended_weight", `${cl},${ml}`, m.intendedWeight);
      if (index && m.route) w.sample("clusterdeck_member_sessions", `${cl},${ml}`, index.byRoute.get(m.route) ?? 0);
      if (isActiveMember(m.states) === true) active++;
    }
    v.frontends.forEach((f, i) => {
      const l = `${cl},${frontendLabels[i]}`;
      if (f.up !== null) w.sample("clusterdeck_frontend_up", l, f.up ? 1 : 0);
      if (f.lastGoodAt)
        w.sample("clusterdeck_frontend_last_success_timestamp_seconds", l, f.lastGoodAt.getTime() / 1000);
    });
    w.sample("clusterdeck_cluster_members", cl, v.members.length);
    w.sample("clusterdeck_cluster_active_members", cl, active);
    for (const state of CLUSTER_HEALTHS)
      w.sample("clusterdeck_cluster_health", `${cl},state="${state}"`, v.health === state ? 1 : 0);
    if (index) {
      w.sample("clusterdeck_session_index_age_seconds", cl, Math.max(0, (input.nowMs - index.scannedAt) / 1000));
      w.sample("clusterdeck_session_index_sessions", cl, index.total);
    }
  }
  for (const [family, kind] of [
    ["clusterdeck_rollouts", "rollout"],
    ["clusterdeck_operations", "operation"],
  ] as const)
    for (const [cluster, state, n] of input.work.entries(kind))
      w.sample(
        family,
        labelText([
          ["cluster", cluster],
          ["state", state],
        ]),
        n,
      );
  return w.toString();
}
