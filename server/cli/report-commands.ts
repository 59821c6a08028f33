import { type Command, InvalidArgumentError, Option } from "commander";
import type { TAuditPage, TClient, TClusterView } from "@/server/cli/api-client";
import { CliError, EXIT } from "@/server/cli/exit-codes";
import type { TCommandContext } from "@/server/cli/command-context";
import { table } from "@/server/cli/format";

/**
 * Reads for reports: `history` (one row per member × time bucket, CSV or JSON), `audit` (entries since
 * a time, paged through), `members` (a cluster's members with state and health).
 */

/** The history API draws at most this many members a request (history-query.ts MAX_LINES). */
const ROUTES_PER_REQUEST = 20;
const AUDIT_PAGE = 500;
const HISTORY_COLUMNS = ["time", "member", "requests_per_s", "errors_per_s", "busy", "bytes_per_s"] as const;

export type THistoryRow = Record<(typeof HISTORY_COLUMNS)[number], string | number | null>;

/** "24h", "90m", "7d" before now, or an ISO time. */
export function parseSince(v: string, now = Date.now()): string {
  const m = /^(\d+)([smhd])$/.exec(v.trim());
  if (m) return new Date(now - Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as "s"]).toISOString();
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('give a duration before now ("24h", "30m", "7d") or an ISO time');
  return new Date(t).toISOString();
}

/** Member names or routes, as the operator typed them, to the routes history is keyed by. */
function routesFor(view: TClusterView, names: string[]): string[] {
  if (names.length === 0) return view.members.map((m) => m.route);
  return names.map((n) => {
    const m = view.members.find((x) => x.name === n || x.route === n);
    if (!m) throw new CliError(EXIT.USAGE, `No member "${n}" in cluster ${view.cluster.name}`);
    return m.route;
  });
}

export async function historyRows(client: TClient, cluster: string, range: string, names: string[]) {
  const routes = routesFor(await client.getCluster(cluster), names);
  const rows: THistoryRow[] = [];
  for (let i = 0; i < routes.length; i += ROUTES_PER_REQUEST) {
    const chunk = routes.slice(i, i + ROUTES_PER_REQUEST);
    const series = await client.history(cluster, range, chunk);
    for (const p of series.points)
      for (const route of chunk) {
        const v = p.values[route];
        rows.push({
          time: new Date(p.t).toISOString(),
          member: route,
          requests_per_s: v?.requestsPerSec ?? null,
          errors_per_s: v?.errorsPerSec ?? null,
          busy: v?.busy ?? null,
          bytes_per_s: v?.bytesPerSec ?? null,
        });
      }
  }
  return rows.sort(
    (a, b) => String(a.time).localeCompare(String(b.time)) || String(a.member).localeCompare(String(b.member)),
  );
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const csvField = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const toCsv = (rows: THistoryRow[]) =>
  [HISTORY_COLUMNS.join(","), ...rows.map((r) => HISTORY_COLUMNS.map((c) => csvField(r[c])).join(","))].join("\n");

async function auditEntries(client: TClient, query: Record<string, string>, limit: number) {
  const entries: TAuditPage["entries"] = [];
  let beforeId: number | null = null;
  do {
    const page: TAuditPage = await client.audit({
      ...query,
      limit: String(Math.min(AUDIT_PAGE, limit - entries.length)),
      ...(beforeId ? { beforeId: String(beforeId) } : {}),
    });
    entries.push(...page.entries);
    beforeId = page.nextBeforeId;
  } while (beforeId !== null && entries.length < limit);
  return entries;
}

export function addReportCommands(program: Command, { io, clientOf, done, setJson }: TCommandContext): void {
  program
    .command("history")
    .description("a cluster's per-member history: one row per member × time bucket (CSV by default)")
    .argument("<cluster>", "cluster name")
    .option("-m, --member <name...>", "only these members (default: every member)")
    .addOption(new Option("--range <range>", "how far back").choices(["15m", "1h", "24h"]).default("1h"))
    .option("--csv", "CSV with a header line (the default)")
    .option("--json", "a JSON array of rows")
    .action(async (cluster: string, opts: { member?: string[]; range: string; json?: boolean }, cmd: Command) => {
      setJson(Boolean(opts.json));
      const rows = await historyRows(clientOf(cmd), cluster, opts.range, opts.member ?? []);
      io.out(opts.json ? JSON.stringify(rows, null, 2) : toCsv(rows));
      done(EXIT.OK);
    });

  program
    .command("audit")
    .description("audit entries, newest first")
    .addOption(
      new Option("--since <when>", 'from this time: "24h", "7d" before now, or an ISO time').argParser((v) =>
        parseSince(v),
      ),
    )
    .option("-c, --cluster <name>", "only this cluster's entries")
    .option("--action <prefix>", "actions starting with this (member., inventory., …)")
    .option("--actor <name>", "whose")
    .addOption(new Option("--result <result>", "only this outcome").choices(["ok", "partial", "failed", "denied"]))
    .addOption(
      new Option("--limit <n>", "at most this many entries")
        .argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1 || n > 100_000)
            throw new InvalidArgumentError("a whole number from 1 to 100000");
          return n;
        })
        .default(1000),
    )
    .option("--json", "a JSON array of entries")
    .action(
      async (
        opts: {
          since?: string;
          cluster?: string;
          action?: string;
          actor?: string;
          result?: string;
          limit: number;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        setJson(Boolean(opts.json));
        const { limit, json, ...filters } = opts;
        const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >;
        const entries = await auditEntries(clientOf(cmd), query, limit);
        if (json) io.out(JSON.stringify(entries, null, 2));
        else
          io.out(
            table([
              ["TIME", "ACTOR", "ACTION", "CLUSTER", "TARGET", "RESULT"],
              ...entries.map((e) => [e.at, e.actor, e.action, e.cluster ?? "", e.target ?? "", e.result]),
            ]).join("\n"),
          );
        done(EXIT.OK);
      },
    );

  program
    .command("members")
    .description("a cluster's members: route, host, intended state, health, drift")
    .argument("<cluster>", "cluster name")
    .option("--json", "a JSON array of members")
    .action(async (cluster: string, opts: { json?: boolean }, cmd: Command) => {
      setJson(Boolean(opts.json));
      const view = await clientOf(cmd).getCluster(cluster);
      const members = view.members.map((m) => ({
        name: m.name,
        route: m.route,
        host: m.host,
        intendedState: m.intendedState,
        intendedWeight: m.intendedWeight,
        health: m.health,
        drift: m.drift,
      }));
      if (opts.json) io.out(JSON.stringify(members, null, 2));
      else
        io.out(
          table([
            ["NAME", "ROUTE", "HOST", "INTENDED", "HEALTH", "DRIFT"],
            ...members.map((m) => [
              m.name,
              m.route,
              m.host ?? "",
              m.intendedState ?? "",
              m.health,
              m.drift ? "drifted" : "",
            ]),
          ]).join("\n"),
        );
      done(EXIT.OK);
    });
}
