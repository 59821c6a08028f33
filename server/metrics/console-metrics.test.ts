import { describe, expect, it } from "vitest";
import { ConsoleMetrics } from "@/server/metrics/console-metrics";
import type { TFrontendLive, TLiveMember } from "@/server/poller/live-state";
import type { TClusterView, TFrontendRow, TMemberOnFrontend } from "@/server/services/clusters/cluster-view";

function frontend(id: number, name: string, up: boolean | null): TFrontendRow {
  return {
    id,
    name,
    kind: "haproxy",
    kindLabel: "HAProxy",
    url: "http://127.0.0.1",
    balancer: "b",
    pollIntervalMs: 1000,
    enabled: true,
    up,
    error: null,
    errorCode: null,
    lastPollAt: null,
    lastGoodAt: up ? new Date(1_700_000_000_000) : null,
    durationMs: null,
    adminStates: ["active", "draining", "stopped"],
    notes: {},
  };
}

function reading(frontendId: number, key: string, over: Partial<TMemberOnFrontend> = {}): TMemberOnFrontend {
  return {
    frontendId,
    key,
    adminState: "active",
    health: "healthy",
    busy: 2,
    elected: 0,
    errors: null,
    loadfactor: 10,
    lbset: 0,
    requestsPerSec: null,
    bytesPerSec: null,
    errorsPerSec: null,
    stale: false,
    drifted: false,
    ...over,
  };
}

function view(members: number, frontends: number): TClusterView {
  const fs = Array.from({ length: frontends }, (_, i) => frontend(i + 1, `fe${i + 1}`, true));
  return {
    cluster: { id: 1, name: "shop", description: "", autoReapply: false },
    frontends: fs,
    health: "healthy",
    members: Array.from({ length: members }, (_, m) => ({
      key: `id:${m + 1}`,
      memberId: m + 1,
      name: `tomcat${m + 1}`,
      route: `tomcat${m + 1}`,
      host: "127.0.0.1",
      intendedState: "active",
      intendedWeight: null,
      drift: false,
      disagreement: false,
      health: "healthy",
      states: fs.map((f) => reading(f.id, `tomcat${m + 1}`)),
    })),
  };
}

function live(frontendId: number, members: Array<Partial<TLiveMember> & { key: string }>, up = true): TFrontendLive {
  return {
    frontendId,
    clusterId: 1,
    up,
    error: up ? null : "refused",
    errorCode: up ? null : "TARGET_UNREACHABLE",
    lastPollAt: new Date(),
    lastGoodAt: new Date(),
    durationMs: 30,
    stale: !up,
    balancerRaw: {},
    members: members.map((m) => ({
      route: m.key,
      host: null,
      port: null,
      adminState: "active",
      health: "healthy",
      elected: 0,
      busy: 0,
      errors: null,
      bytesIn: 0,
      bytesOut: 0,
      loadfactor: 1,
      lbset: 0,
      raw: {},
      rates: null,
      ...m,
    })),
  };
}

/** A console without session stores. */
const NO_STORES = { storeNodes: () => [], storeNodeSessions: () => null };

/** The value of one series of a scrape, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("ConsoleMetrics", () => {
  it("exposes admin state and health as state sets, one series per state, 1 for the current one", async () => {
    const v = view(2, 1);
    v.members[1]!.states[0] = reading(1, "tomcat2", { adminState: "draining", health: "failing", drifted: true });
    const text = await new ConsoleMetrics({ views: () => [v], sessions: () => null, ...NO_STORES }).scrape();
    const l = 'cluster="shop",frontend="fe1",member="tomcat2"';
    expect(sample(text, `clusterdeck_member_admin_state{${l},state="draining"}`)).toBe(1);
    expect(sample(text, `clusterdeck_member_admin_state{${l},state="active"}`)).toBe(0);
    expect(sample(text, `clusterdeck_member_admin_state{${l},state="stopped"}`)).toBe(0);
    expect(sample(text, `clusterdeck_member_health{${l},state="failing"}`)).toBe(1);
    expect(sample(text, `clusterdeck_member_health{${l},state="healthy"}`)).toBe(0);
    expect(sample(text, `clusterdeck_member_drifted{${l}}`)).toBe(1);
    expect(sample(text, `clusterdeck_member_weight{${l}}`)).toBe(10);
    expect(sample(text, 'clusterdeck_member_intended_state{cluster="shop",member="tomcat2",state="active"}')).toBe(1);
    expect(sample(text, 'clusterdeck_cluster_active_members{cluster="shop"}')).toBe(1);
    expect(sample(text, 'clusterdeck_cluster_members{cluster="shop"}')).toBe(2);
    expect(sample(text, 'clusterdeck_frontend_up{cluster="shop",frontend="fe1"}')).toBe(1);
    expect(sample(text, 'clusterdeck_frontend_poll_failures_total{cluster="shop",frontend="fe1"}')).toBe(0);
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("keeps request counters monotonic across a balancer restart and counts failed polls", async () => {
    const v = view(1, 1);
    const m = new ConsoleMetrics({ views: () => [v], sessions: () => null, ...NO_STORES });
    m.recordPoll("shop", "fe1", live(1, [{ key: "tomcat1", elected: 500, bytesOut: 1000 }]));
    m.recordPoll("shop", "fe1", live(1, [{ key: "tomcat1", elected: 7, bytesOut: 20 }]));
    m.recordPoll("shop", "fe1", live(1, [], false));
    const text = await m.scrape();
    const l = 'cluster="shop",frontend="fe1",member="tomcat1"';
    expect(sample(text, `clusterdeck_member_requests_total{${l}}`)).toBe(507);
    expect(sample(text, `clusterdeck_member_sent_bytes_total{${l}}`)).toBe(1020);
    // balancer-manager-like frontends count no errors: no series rather than a false 0
    expect(sample(text, `clusterdeck_member_errors_total{${l}}`)).toBeUndefined();
    expect(sample(text, 'clusterdeck_frontend_poll_failures_total{cluster="shop",frontend="fe1"}')).toBe(1);
    expect(sample(text, 'clusterdeck_frontend_poll_duration_seconds_count{cluster="shop",frontend="fe1"}')).toBe(3);
  });

  it("reports sessions per member from the index and the index's age", async () => {
    const v = view(2, 1);
    // Taken before the scrape: the callback runs after the scrape has read its clock.
    const scannedAt = Date.now() - 30_000;
    const m = new ConsoleMetrics({
      views: () => [v],
      sessions: () => ({ scannedAt, total: 12, byRoute: new Map([["tomcat1", 12]]) }),
      ...NO_STORES,
    });
    const text = await m.scrape();
    expect(sample(text, 'clusterdeck_member_sessions{cluster="shop",member="tomcat1"}')).toBe(12);
    expect(sample(text, 'clusterdeck_member_sessions{cluster="shop",member="tomcat2"}')).toBe(0);
    expect(sample(text, 'clusterdeck_session_index_age_seconds{cluster="shop"}')).toBeGreaterThanOrEqual(30);
  });

  it("drops a deleted frontend's poll series", async () => {
    const m = new ConsoleMetrics({ views: () => [], sessions: () => null, ...NO_STORES });
    m.recordPoll("shop", "fe1", live(1, [{ key: "tomcat1", elected: 5 }]));
    m.forgetFrontend(1, "shop", "fe1");
    const text = await m.scrape();
    expect(text).not.toContain('frontend="fe1"');
  });

  it("prints one admin-state series per state, member and frontend at 4 frontends × 1,000 members (time: the bench)", async () => {
    const v = view(1000, 4);
    const m = new ConsoleMetrics({ views: () => [v], sessions: () => null, ...NO_STORES });
    const text = await m.scrape();
    const lines = text.split("\n").filter((l) => l.startsWith("clusterdeck_member_admin_state{"));
    expect(lines).toHaveLength(4 * 1000 * 5);
    expect(text.split("\n").filter((l) => l.startsWith("clusterdeck_member_intended_state{"))).toHaveLength(1000 * 5);
  });
});

describe("exposition", () => {
  it("escapes label values the way the text format wants (backslash, quote, newline)", async () => {
    const { labelText } = await import("@/server/metrics/exposition");
    expect(labelText([["member", 'a"b\\c\nd']])).toBe('member="a\\"b\\\\c\\nd"');
  });
});
