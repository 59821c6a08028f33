import { z } from "zod";
import { ZBulkActionResult, ZMemberActionResult } from "@/server/services/members/member-actions-schema";
import { ZClusterSummary, ZClusterView, ZHistorySeries } from "@/server/services/clusters/cluster-view-schema";
import { ZInventoryPlan } from "@/server/services/inventory/inventory-plan";
import { ZAuditEntry } from "@/server/services/audit/audit";
import { ZBalancerSettingResult } from "@/server/domain/balancer-settings";
import { CliError, EXIT } from "@/server/cli/exit-codes";

/** The console's REST API (/api/v1), nothing else: the CLI never touches the database. */
export type TMemberActionResult = z.infer<typeof ZMemberActionResult>;
export type TBulkActionResult = z.infer<typeof ZBulkActionResult>;
export type TClusterSummary = z.infer<typeof ZClusterSummary>;
export type TClusterView = z.infer<typeof ZClusterView>;
export type THistorySeries = z.infer<typeof ZHistorySeries>;
export type TInventoryPlan = z.infer<typeof ZInventoryPlan>;
export type TBalancerSettingAnswer = z.infer<typeof ZBalancerSettingResult>;

/** Audit entries as JSON carries them (the time as ISO text). */
const ZAuditPage = z.object({
  entries: z.array(ZAuditEntry.extend({ at: z.string() })),
  nextBeforeId: z.number().int().nullable(),
});
export type TAuditPage = z.infer<typeof ZAuditPage>;

/** The fields of a journaled operation the CLI reads (GET /operations/{id}). */
const ZOperationAnswer = z.object({
  id: z.number(),
  state: z.string(),
  dryRun: z.boolean(),
  total: z.number().default(0),
  processed: z.number().default(0),
  changed: z.number().default(0),
  alreadyOk: z.number().default(0),
  failedCount: z.number().default(0),
  message: z.string().nullable().default(null),
  report: z.string().nullable().default(null),
});
export type TOperationAnswer = z.infer<typeof ZOperationAnswer>;

export const DEFAULT_URL = "http://127.0.0.1:3000";
const READ_TIMEOUT_MS = 15_000;
// An action answers after every frontend was changed and read back (bounded ~5 s each, in parallel).
const ACTION_TIMEOUT_MS = 60_000;
/** A bulk action reads every frontend back for all its members: bounded by the server, this is the backstop. */
const BULK_TIMEOUT_MS = 10 * 60_000;

export const TOKEN_HELP =
  "Create an API token in the console (Tokens page, admin only; operator role for actions) and pass it with --token or set CLUSTERDECK_TOKEN.";

export interface TConnection {
  url: string;
  token: string;
}

/** --url / --token win over CLUSTERDECK_URL / CLUSTERDECK_TOKEN; the token is checked before any request. */
export function resolveConnection(opts: { url?: string; token?: string }, env: NodeJS.ProcessEnv): TConnection {
  const url = (opts.url ?? env.CLUSTERDECK_URL ?? DEFAULT_URL).trim();
  if (!/^https?:\/\/[^/]/i.test(url))
    throw new CliError(EXIT.USAGE, `Not an http(s) URL: "${url}" (--url or CLUSTERDECK_URL)`);
  const token = (opts.token ?? env.CLUSTERDECK_TOKEN ?? "").trim();
  if (!token) throw new CliError(EXIT.AUTH, "No API token given.", "UNAUTHORIZED", TOKEN_HELP);
  if (!token.startsWith("cdk_"))
    throw new CliError(
      EXIT.AUTH,
      "The token does not look like a ClusterDeck API token (cdk_…).",
      "UNAUTHORIZED",
      TOKEN_HELP,
    );
  return { url: url.replace(/\/+$/, ""), token };
}

export function createClient(conn: TConnection) {
  async function call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    timeoutMs = READ_TIMEOUT_MS,
  ): Promise<unknown> {
    const target = `${conn.url}/api/v1${path}`;
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers: {
          authorization: `Bearer ${conn.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw unreachable(conn.url, err, timeoutMs, method === "POST");
    }
    const text = await res.text().catch(() => "");
    const json = parseJson(text);
    if (!res.ok) throw httpError(res.status, json, method === "POST");
    if (json === undefined)
      throw new CliError(
        EXIT.PARTIAL,
        `The console at ${conn.url} answered ${method} ${path} with something that is not JSON`,
        null,
        "Check --url / CLUSTERDECK_URL.",
      );
    return json;
  }

  return {
    url: conn.url,
    listClusters: async () => parseAnswer(z.array(ZClusterSummary), await call("GET", "/clusters"), "the cluster list"),
    getCluster: async (name: string, timeoutMs?: number) =>
      parseAnswer(
        ZClusterView,
        reviveDates(await call("GET", `/clusters/${encodeURIComponent(name)}`, undefined, timeoutMs)),
        `cluster ${name}`,
      ),
    /** verb: drain | disable | stop | standby | enable | weight; the server changes and reads back every frontend. */
    memberAction: async (cluster: string, member: string, verb: string, body: Record<string, unknown>) =>
      parseAnswer(
        ZMemberActionResult,
        await call(
          "POST",
          `/clusters/${encodeURIComponent(cluster)}/members/${encodeURIComponent(member)}/${verb}`,
          body,
          ACTION_TIMEOUT_MS,
        ),
        `the ${verb} result`,
      ),
    /** One balancer-level setting on one frontend, read back from its status page by the console. */
    balancerSetting: async (cluster: string, frontend: string, setting: { name: string; value: string }) =>
      parseAnswer(
        ZBalancerSettingResult,
        await call(
          "POST",
          `/clusters/${encodeURIComponent(cluster)}/frontends/${encodeURIComponent(frontend)}/balancer-settings`,
          setting,
          ACTION_TIMEOUT_MS,
        ),
        `the ${setting.name} result`,
      ),
    /** One verb on many members (POST /clusters/{cluster}/bulk/{verb}); per member, per frontend results. */
    bulkAction: async (cluster: string, verb: string, body: { members: string[]; force: boolean }) =>
      parseAnswer(
        ZBulkActionResult,
        await call("POST", `/clusters/${encodeURIComponent(cluster)}/bulk/${verb}`, body, BULK_TIMEOUT_MS),
        `the bulk ${verb} result`,
      ),
    /** Starts a journaled operation (POST …/replace, …/sessions/expire); follow it with getOperation. */
    startOperation: async (path: string, body: Record<string, unknown>) =>
      parseAnswer(ZOperationAnswer, await call("POST", path, body, ACTION_TIMEOUT_MS), "the started operation"),
    getOperation: async (id: number) =>
      parseAnswer(ZOperationAnswer, await call("GET", `/operations/${id}`), `operation #${id}`),
    /** GET /clusters/{name}/history: routes (at most 20 a request) or, without, the busiest 5. */
    history: async (cluster: string, range: string, routes: string[]) => {
      const q = new URLSearchParams({ range });
      for (const r of routes) q.append("members", r);
      return parseAnswer(
        ZHistorySeries,
        await call("GET", `/clusters/${encodeURIComponent(cluster)}/history?${q}`),
        `the history of ${cluster}`,
      );
    },
    /** GET /audit, one page (newest first; the next page with beforeId = nextBeforeId). */
    audit: async (query: Record<string, string>) =>
      parseAnswer(ZAuditPage, await call("GET", `/audit?${new URLSearchParams(query)}`), "the audit log"),
    inventoryExport: async (cluster?: string) =>
      parseAnswer(
        z.object({ yaml: z.string(), clusters: z.number() }),
        await call("GET", `/inventory${cluster ? `?${new URLSearchParams({ cluster })}` : ""}`),
        "the exported inventory",
      ),
    /** POST /inventory/plan or /inventory/apply. */
    inventoryPlan: async (step: "plan" | "apply", yaml: string, prune: boolean) =>
      parseAnswer(
        ZInventoryPlan,
        await call("POST", `/inventory/${step}`, { yaml, prune }, ACTION_TIMEOUT_MS),
        `the inventory ${step}`,
      ),
    /** Rollouts of a cluster: path "" (start, POST) or "/{id}[/verb]"; the answer is checked by rollout-commands.ts. */
    rollout: async (method: "GET" | "POST", cluster: string, path: string, body?: Record<string, unknown>) =>
      call(
        method,
        `/clusters/${encodeURIComponent(cluster)}/rollouts${path}`,
        body ?? (method === "POST" ? {} : undefined),
        ACTION_TIMEOUT_MS,
      ),
  };
}
export type TClient = ReturnType<typeof createClient>;

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function parseAnswer<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // An answer we cannot read is never success: the change may or may not have happened.
  throw new CliError(
    EXIT.PARTIAL,
    `The console's answer for ${what} has an unexpected shape${issue ? ` (${issue.path.join(".")}: ${issue.message})` : ""}`,
    null,
    "Is the CLI as new as the console?",
  );
}

/** JSON carries dates as ISO strings; the shared schema wants Date objects. */
function reviveDates(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || !Array.isArray((raw as { frontends?: unknown }).frontends)) return raw;
  const toDate = (v: unknown) => (typeof v === "string" ? new Date(v) : v);
  const frontends = (raw as { frontends: Array<Record<string, unknown>> }).frontends.map((f) => ({
    ...f,
    lastPollAt: toDate(f.lastPollAt),
    lastGoodAt: toDate(f.lastGoodAt),
  }));
  return { ...raw, frontends };
}

function unreachable(url: string, err: unknown, timeoutMs: number, isAction: boolean): CliError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const mayHaveApplied = isAction ? " The action may still have been applied: check `clusterdeck status`." : "";
  if (e?.name === "TimeoutError" || e?.name === "AbortError") {
    return new CliError(
      EXIT.UNREACHABLE,
      `No answer from the console at ${url} within ${timeoutMs / 1000} s.${mayHaveApplied}`,
      "TIMEOUT",
    );
  }
  const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new CliError(
    EXIT.UNREACHABLE,
    `Cannot reach the console at ${url}: ${why}`,
    why,
    "Is it running? Point the CLI at it with --url or CLUSTERDECK_URL.",
  );
}

function httpError(status: number, body: unknown, isAction: boolean): CliError {
  const b = (body && typeof body === "object" ? body : {}) as {
    message?: unknown;
    code?: unknown;
    appCode?: unknown;
    issues?: unknown;
  };
  // The console's own code (AppError: INVALID_INPUT, NOT_FOUND, …) when it sent one; else the transport's.
  const code = typeof b.appCode === "string" ? b.appCode : typeof b.code === "string" ? b.code : null;
  let message = typeof b.message === "string" && b.message ? b.message : `HTTP ${status}`;
  if (Array.isArray(b.issues)) {
    const details = b.issues.map(
      (i: { path?: unknown; message?: unknown }) =>
        `${Array.isArray(i.path) ? i.path.join(".") : ""}: ${String(i.message)}`,
    );
    if (details.length) message += ` (${details.join("; ")})`;
  }
  if (status === 401)
    return new CliError(
      EXIT.AUTH,
      message,
      code ?? "UNAUTHORIZED",
      `The console did not accept the token. ${TOKEN_HELP}`,
    );
  if (status === 403)
    return new CliError(EXIT.AUTH, message, code ?? "FORBIDDEN", "Member actions need a token with the operator role.");
  if (status === 409) return new CliError(EXIT.USAGE, message, code ?? "CONFLICT", "use --force to do it anyway.");
  if (status === 400 || status === 404 || status === 405 || status === 415 || status === 422)
    return new CliError(EXIT.USAGE, message, code);
  // A proxy in front of the console says 502/503/504 without the console's JSON error body.
  if ((status === 502 || status === 503 || status === 504) && !code)
    return new CliError(EXIT.UNREACHABLE, `The console is unavailable (HTTP ${status})`, `HTTP_${status}`);
  const unknownOutcome = isAction ? " The action may or may not have been applied: check `clusterdeck status`." : "";
  return new CliError(EXIT.PARTIAL, `The console answered HTTP ${status}: ${message}.${unknownOutcome}`, code);
}
