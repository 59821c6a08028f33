import type { TClusterSummary, TClusterView, TMemberActionResult } from "@/server/cli/api-client";
import type { TWaitReport } from "@/server/cli/wait";
import type { TMemberSettingName } from "@/server/domain/member-settings";

/** Plain-text tables: columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

const OUTCOME_LABEL: Record<TMemberActionResult["frontends"][number]["outcome"], string> = {
  done: "done",
  failed: "FAILED",
  "not-verified": "NOT-VERIFIED",
  unsupported: "unsupported",
  "not-routed": "not-routed",
};

type TObserved = TMemberActionResult["frontends"][number]["observed"];

/** What a frontend shows after the action: the weight, the setting asked about, or the admin state. */
function observedText(o: TObserved, isWeight: boolean, setting?: TMemberSettingName): string {
  if (!o) return "";
  if (setting) return `${setting} ${JSON.stringify(o.settings?.[setting] ?? null)}`;
  return isWeight ? `weight ${o.loadfactor}` : o.adminState;
}

/** One line per frontend, then a summary a human can act on (`setting`: the member setting changed, if any). */
export function formatActionResult(r: TMemberActionResult, what: string, setting?: TMemberSettingName): string[] {
  const isWeight = r.action.endsWith("setWeight");
  const shown = (o: TObserved) => observedText(o, isWeight, setting);
  const lines = table(
    r.frontends.map((f) => [
      f.frontend,
      OUTCOME_LABEL[f.outcome],
      f.outcome === "done" ? shown(f.observed) : (f.message ?? shown(f.observed)),
    ]),
  );
  const relevant = r.frontends.filter((f) => f.outcome !== "unsupported" && f.outcome !== "not-routed");
  const confirmed = relevant.filter((f) => f.outcome === "done");
  const missing = relevant.filter((f) => f.outcome !== "done").map((f) => f.frontend);
  const audit = `audit #${r.auditId}`;
  if (r.overall === "done")
    lines.push(`done: ${r.member} ${what} on all ${confirmed.length} frontend(s) that route to it (${audit})`);
  else if (r.overall === "partial")
    lines.push(
      `PARTIAL: ${confirmed.length} of ${relevant.length} frontends confirmed ${what}; not confirmed: ${missing.join(", ")} (${audit})`,
    );
  else if (relevant.length === 0)
    lines.push(`FAILED: no enabled frontend routes to ${r.member} or supports this (${audit})`);
  else lines.push(`FAILED: no frontend confirmed ${what} for ${r.member} (${audit})`);
  return lines;
}

export function formatWait(w: TWaitReport, what: string): string[] {
  const lines = table(
    w.frontends.map((f) => [
      f.frontend,
      !f.listed ? "not-listed" : !f.answering ? "not-answering" : f.confirmed ? "confirmed" : "WAITING",
      f.adminState === null ? "" : `${f.adminState}, weight ${f.loadfactor}${f.drifted ? " (drifted)" : ""}`,
    ]),
  );
  const secs = (w.elapsedMs / 1000).toFixed(1);
  if (w.confirmed) lines.push(`console shows ${what} after ${secs} s`);
  else
    lines.push(
      `TIMED OUT after ${secs} s: the console does not show ${what} on every answering frontend${w.error ? ` (last poll: ${w.error})` : ""}`,
    );
  return lines;
}

export function formatOverview(clusters: TClusterSummary[]): string[] {
  if (clusters.length === 0) return ["no clusters"];
  return table([
    ["CLUSTER", "HEALTH", "MEMBERS", "FRONTENDS", "DRIFTED"],
    ...clusters.map((c) => [
      c.name,
      c.health,
      `${c.healthyMembers}/${c.members} healthy`,
      `${c.frontendsUp}/${c.frontends} up`,
      String(c.drifted),
    ]),
  ]);
}

/** Members × frontends ("admin/health", * = drifted, ? = stale reading), then each frontend's poll state. */
export function formatClusterView(v: TClusterView): string[] {
  const lines = [
    `cluster ${v.cluster.name}: ${v.health}${v.cluster.description ? ` — ${v.cluster.description}` : ""}`,
    "",
  ];
  const header = ["MEMBER", ...v.frontends.map((f) => f.name), "INTENDED", "HEALTH"];
  const rows = v.members.map((m) => [
    m.name,
    ...m.states.map((s) => (s ? `${s.adminState}/${s.health}${s.drifted ? "*" : ""}${s.stale ? "?" : ""}` : "-")),
    m.intendedState ? `${m.intendedState}${m.intendedWeight !== null ? `, weight ${m.intendedWeight}` : ""}` : "-",
    `${m.health}${m.drift ? " DRIFT" : ""}`,
  ]);
  lines.push(...table([header, ...rows]));
  if (v.members.some((m) => m.drift)) lines.push("* differs from the intended state or weight (drift)");
  if (v.members.some((m) => m.states.some((s) => s?.stale)))
    lines.push("? last good reading: that frontend did not answer its last poll");
  lines.push("");
  lines.push(
    ...table([
      ["FRONTEND", "KIND", "POLL", "URL"],
      ...v.frontends.map((f) => [f.name, f.kindLabel, pollState(f), f.url]),
    ]),
  );
  for (const f of v.frontends)
    if (f.enabled && f.up === false)
      lines.push(
        `${f.name}: ${f.error ?? "down"}${f.lastGoodAt ? ` (last good poll ${f.lastGoodAt.toISOString()})` : " (never answered)"}`,
      );
  return lines;
}

function pollState(f: TClusterView["frontends"][number]): string {
  if (!f.enabled) return "disabled";
  if (f.up === null) return "not polled yet";
  return f.up ? "up" : `DOWN${f.errorCode ? ` (${f.errorCode})` : ""}`;
}
