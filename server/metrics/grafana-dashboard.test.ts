/**
 * docs/grafana-dashboard.json is a dashboard Grafana can import: its JSON model's required parts, panels
 * with queries, and the cluster variable every ClusterDeck query filters by. That each metric name it
 * queries exists is checked against a live scrape with the lab (metrics.int.test.ts).
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { SNAPSHOT_FAMILIES } from "@/server/metrics/snapshot-metrics";
import { STORE_NODE_FAMILIES } from "@/server/metrics/store-node-metrics";
import { queriedNames } from "@/test-support/metric-names";
import { DASHBOARD_FILE, allPanels, dashboardQueries, readDashboard } from "@/test-support/grafana-dashboard";

describe("docs/grafana-dashboard.json", () => {
  const d = readDashboard();
  const panels = allPanels(d);

  it("is a Grafana dashboard model: title, uid, schema version, panels with unique ids inside the 24-column grid", () => {
    expect(() => JSON.parse(fs.readFileSync(DASHBOARD_FILE, "utf8")) as unknown).not.toThrow();
    expect(d.title).toBe("ClusterDeck");
    expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect(p.title, `panel ${p.id}`).toBeTruthy();
      expect(p.gridPos, p.title).toBeDefined();
      expect(p.gridPos!.x + p.gridPos!.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it("gives every panel but the rows a PromQL target on the chosen data source", () => {
    const queried = panels.filter((p) => p.type !== "row");
    expect(queried.length).toBeGreaterThan(20);
    for (const p of queried) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) {
        expect(t.expr, p.title).toMatch(/\w/);
        expect(t.datasource, p.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      }
    }
  });

  it("has a cluster variable from the console's own series, and every ClusterDeck query filters by it", () => {
    const cluster = d.templating.list.find((v) => v.name === "cluster");
    expect(cluster?.type).toBe("query");
    expect(dashboardQueries(d).some((q) => /label_values\(clusterdeck_\w+.*, cluster\)/.test(q))).toBe(true);
    for (const p of panels)
      for (const t of p.targets ?? [])
        if (t.expr?.includes("clusterdeck_")) expect(t.expr, p.title).toContain('cluster=~"$cluster"');
  });

  it("covers the member, frontend, store-node, session and rollout families", () => {
    const used = queriedNames(dashboardQueries(d).join("\n"));
    const declared = [...SNAPSHOT_FAMILIES, ...STORE_NODE_FAMILIES].map((f) => f.name);
    // Every family the console declares is on the dashboard except the staleness flag (shown as "up").
    const missing = declared.filter((n) => !used.has(n) && !used.has(`${n}_bucket`));
    expect(missing).toEqual(["clusterdeck_member_reading_stale"]);
    expect(used).toContain("clusterdeck_frontend_poll_duration_seconds_bucket");
  });
});
