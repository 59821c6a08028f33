import { ZJsonValue, type TJsonValue } from "@/server/domain/json-value";
import { z } from "zod";
import type { TDb } from "@/server/db";
import { actorName, type TPrincipal } from "@/server/auth/principal";
import { redactSecrets } from "@/server/domain/redact";
import { AppError, errorIdOf, publicErrorMessage } from "@/server/errors";
import { logger } from "@/server/logger";

export type TAuditResult = "ok" | "partial" | "failed" | "denied";

/** Who asks for a change: a person (cookie or token) or the console itself (`system`: what it is doing). */
export interface TWho {
  principal: TPrincipal | null;
  ip: string | null;
  /** Set for the console's own work, e.g. "inventory file" at start or "auto re-apply": acts with full rights. */
  system?: string;
}

export interface TAuditInput {
  principal: TPrincipal | null;
  /** Overrides the principal's name, e.g. "system" for automatic re-apply, or the name tried at a failed login. */
  actor?: string;
  ip: string | null;
  action: string;
  cluster?: string | null;
  target?: string | null;
  result: TAuditResult;
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(redactSecrets(v)));

/** The audit fields that say who acted. */
export function auditActor(who: TWho): Pick<TAuditInput, "principal" | "ip" | "actor"> {
  return { principal: who.principal, ip: who.ip, actor: who.system ? `system (${who.system})` : undefined };
}

/**
 * Appends one entry. Credentials are taken out before anything is written (redact.ts), whatever the
 * caller passed. The app never updates or deletes audit entries.
 */
export async function recordAudit(db: TDb, e: TAuditInput): Promise<number> {
  const row = await db.auditEntry.create({
    data: {
      actor: e.actor ?? actorName(e.principal),
      actorRole: e.principal?.role ?? null,
      ip: e.ip,
      action: e.action,
      cluster: e.cluster ?? null,
      target: e.target ?? null,
      result: e.result,
      before: json(e.before),
      after: json(e.after),
      details: json(e.details),
    },
  });
  return row.id;
}

export interface TChangeAudit<T> {
  action: string;
  cluster?: string | null;
  target?: string | null;
  before?: unknown;
  details?: Record<string, unknown>;
  /** What to keep of the result as "after" (default: the result itself; secrets are taken out either way). */
  after?: (value: T) => unknown;
}

/**
 * Runs one change and records it: ok with what it produced, denied when it was refused for lack of a
 * role (FORBIDDEN), failed with a message a person may read (an unexpected error's own text stays in
 * the log, under the id the entry quotes). Services call this for their own mutations; routers never
 * write the audit log.
 */
export async function auditedChange<T>(db: TDb, who: TWho, e: TChangeAudit<T>, fn: () => Promise<T>): Promise<T> {
  const base = { ...auditActor(who), action: e.action, cluster: e.cluster, target: e.target, before: e.before };
  let value: T;
  try {
    value = await fn();
  } catch (err) {
    const denied = err instanceof AppError && err.code === "FORBIDDEN";
    if (!(err instanceof AppError)) logger.error({ err, errorId: errorIdOf(err), action: e.action }, "change failed");
    await recordAudit(db, {
      ...base,
      result: denied ? "denied" : "failed",
      details: { ...e.details, error: publicErrorMessage(err) },
    });
    throw err;
  }
  await recordAudit(db, { ...base, result: "ok", details: e.details, after: e.after ? e.after(value) : value });
  return value;
}

export const ZAuditQuery = z.object({
  cluster: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  actor: z.string().max(128).optional(),
  target: z.string().max(128).optional(),
  result: z.enum(["ok", "partial", "failed", "denied"]).optional(),
  since: z.coerce.date().optional(),
  until: z.coerce.date().optional(),
  /** Entries older than this id (paging backwards from the newest). */
  beforeId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type TAuditQuery = z.infer<typeof ZAuditQuery>;

export const ZAuditEntry = z.object({
  id: z.number().int(),
  at: z.date(),
  actor: z.string(),
  actorRole: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  cluster: z.string().nullable(),
  target: z.string().nullable(),
  result: z.string(),
  before: ZJsonValue.describe("the intended state before the action (JSON), null when none"),
  after: ZJsonValue.describe("the intended state after the action (JSON), null when none"),
  details: ZJsonValue.describe("what the action reported (JSON), null when nothing"),
});

/** Newest first. What each role may see of the entries is decided at the API boundary (visibility.ts). */
export async function listAudit(db: TDb, q: TAuditQuery) {
  const rows = await db.auditEntry.findMany({
    where: {
      cluster: q.cluster,
      action: q.action ? { startsWith: q.action } : undefined,
      actor: q.actor ? { contains: q.actor } : undefined,
      target: q.target,
      result: q.result,
      at: q.since || q.until ? { gte: q.since, lte: q.until } : undefined,
      id: q.beforeId ? { lt: q.beforeId } : undefined,
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const parse = (s: string | null): TJsonValue => (s === null ? null : (JSON.parse(s) as TJsonValue));
  return {
    entries: page.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after), details: parse(r.details) })),
    nextBeforeId: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}
