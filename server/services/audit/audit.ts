import { z } from "zod";
import type { TDb } from "@/server/db";
import { actorName, type TPrincipal } from "@/server/auth/principal";

export type TAuditResult = "ok" | "partial" | "failed" | "denied";

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

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** Appends one entry. The app never updates or deletes audit entries. */
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
  before: z.unknown(),
  after: z.unknown(),
  details: z.unknown(),
});

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
  const parse = (s: string | null) => (s === null ? null : (JSON.parse(s) as unknown));
  return {
    entries: page.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after), details: parse(r.details) })),
    nextBeforeId: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}

/**
 * Runs an inventory change and records it, succeeded or failed (with the error's message), so the log
 * shows attempts as well as changes.
 */
export async function audited<T>(db: TDb, e: Omit<TAuditInput, "result" | "after">, fn: () => Promise<T>): Promise<T> {
  try {
    const value = await fn();
    await recordAudit(db, { ...e, result: "ok", after: value });
    return value;
  } catch (err) {
    await recordAudit(db, {
      ...e,
      result: "failed",
      details: { ...(e.details as object | undefined), error: (err as Error).message },
    });
    throw err;
  }
}
