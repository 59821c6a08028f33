import { z } from "zod";

/**
 * Output schemas of the journaled operations (operation.get / operation.list, and what starting one
 * answers), and of each kind's report: the report travels as JSON text in the row, and the UI reads it
 * through these schemas, never by casting.
 */

export const ZOperation = z.object({
  id: z.number().int(),
  kind: z.string(),
  cluster: z.string(),
  target: z.string(),
  dryRun: z.boolean(),
  state: z.string(),
  total: z.number().int(),
  processed: z.number().int(),
  changed: z.number().int(),
  alreadyOk: z.number().int(),
  failedCount: z.number().int(),
  message: z.string().nullable(),
  report: z.string().nullable(),
  startedBy: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
});

/** What starting an operation answers: its row; follow it with operation.get. */
export const ZOperationStarted = ZOperation.omit({ report: true }).partial().extend({ id: z.number().int() });

/** session.expire: one result per session id. */
export const ZExpireResult = z.object({
  sessionId: z.string(),
  /** removed: keys were removed; found: a dry run found keys it would remove; not-found: no store holds it. */
  result: z.enum(["removed", "found", "not-found", "failed"]),
  keys: z.array(z.object({ store: z.string(), node: z.string(), key: z.string() })),
  errors: z.array(z.object({ store: z.string(), reason: z.string() })),
  /** What a store could not guarantee (e.g. an in-memory copy it cannot reach). */
  notes: z.array(z.object({ store: z.string(), note: z.string() })),
});
export type TExpireResult = z.infer<typeof ZExpireResult>;

export const ZExpireReport = z.object({
  results: z.array(ZExpireResult).default([]),
  unsupportedStores: z.array(z.string()).default([]),
});

export const ZVerification = z.object({
  /** Session keys on the old server when verified, and their value bytes. */
  sourceKeys: z.number(),
  sourceBytes: z.number(),
  /** Of those, present on the new server, and their value bytes there. */
  targetKeys: z.number(),
  targetBytes: z.number(),
  missing: z.number(),
  /** Present on both with different bytes: changed on the old server after the copy (or the application wrote the new one). */
  differs: z.number(),
  /** Session keys of the store listed on the new server (more than targetKeys when the application already writes there). */
  targetSessionKeys: z.number(),
  examples: z.array(z.object({ key: z.string(), state: z.enum(["same", "missing", "differs", "gone"]) })),
});
export type TVerification = z.infer<typeof ZVerification>;

/** store.replace-node. A run that failed before its end reports only `error`. */
export const ZReplaceReport = z.object({
  complete: z.boolean().optional(),
  configChange: z.array(z.string()).optional(),
  verification: ZVerification.nullable().optional(),
  failures: z.array(z.object({ key: z.string(), reason: z.string() })).optional(),
  error: z.string().optional(),
});

/** Parses an operation's report with its kind's schema; null when there is none or it does not match. */
export function parseOperationReport<T extends z.ZodType>(schema: T, report: string | null): z.infer<T> | null {
  if (!report) return null;
  try {
    const r = schema.safeParse(JSON.parse(report));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
