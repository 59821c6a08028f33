import fs from "node:fs";
import path from "node:path";

export const DASHBOARD_FILE = path.resolve(import.meta.dirname, "../docs/grafana-dashboard.json");

/** The parts of a Grafana dashboard model the tests read (Grafana's JSON model, schemaVersion 39). */
export interface TGrafanaPanel {
  id?: number;
  type: string;
  title: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr?: string; refId?: string; datasource?: unknown }>;
  panels?: TGrafanaPanel[];
}
export interface TGrafanaDashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: TGrafanaPanel[];
  templating: { list: Array<{ name: string; type: string; query?: string | { query?: string } }> };
}

export function readDashboard(): TGrafanaDashboard {
  return JSON.parse(fs.readFileSync(DASHBOARD_FILE, "utf8")) as TGrafanaDashboard;
}

/** Every panel, rows' collapsed children included. */
export function allPanels(d: TGrafanaDashboard): TGrafanaPanel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every PromQL text of the dashboard: its panels' targets and its query variables. */
export function dashboardQueries(d: TGrafanaDashboard): string[] {
  const out: string[] = [];
  for (const p of allPanels(d)) for (const t of p.targets ?? []) if (t.expr) out.push(t.expr);
  for (const v of d.templating.list) {
    const q = typeof v.query === "string" ? v.query : v.query?.query;
    if (v.type === "query" && q) out.push(q);
  }
  return out;
}
