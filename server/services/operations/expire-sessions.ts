import { z } from "zod";
import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { storeConfigs } from "@/server/services/sessions/stores";
import { AppError } from "@/server/errors";
import { finishOperation, operationJob, saveProgress } from "@/server/services/operations/operation-journal";
import { startOperation, type TWho } from "@/server/services/operations/start";
import { ZExpireReport, type TExpireResult } from "@/server/services/operations/operation-schema";

export const EXPIRE_SESSIONS = "session.expire";
/** Ids expired at once (each asks every node of every store a handful of keys). */
const BATCH = 20;
export const MAX_EXPIRE_IDS = 1000;

/** Session ids as cookies carry them: printable ASCII, no spaces, no `;` or `,` (cookie/jmxproxy separators). */
export const ZSessionIdForExpire = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/, "a session id: printable characters, no spaces, commas or semicolons");
const ZParams = z.object({ ids: z.array(z.string()) });

/** Expires sessions everywhere the cluster's stores hold them (every key, every copy). Run with dryRun first. */
export async function startExpireSessions(
  db: TDb,
  input: { cluster: string; ids: string[]; dryRun: boolean },
  who: TWho,
) {
  const ids = [...new Set(input.ids)];
  if (ids.length === 0) throw new AppError("INVALID_INPUT", "Give at least one session id to expire");
  if (ids.length > MAX_EXPIRE_IDS)
    throw new AppError(
      "INVALID_INPUT",
      `At most ${MAX_EXPIRE_IDS} sessions per operation (got ${ids.length}): split the selection`,
    );
  const stores = await storeConfigs(db, input.cluster);
  if (stores.length === 0)
    throw new AppError("NOT_FOUND", `Cluster "${input.cluster}" has no session stores in the inventory`);
  const target = ids.length === 1 ? ids[0]! : `${ids.length} sessions`;
  return startOperation(
    db,
    {
      job: expireSessionsJob,
      cluster: input.cluster,
      target,
      params: { ids },
      dryRun: input.dryRun,
      auditAction: "session.expire",
      auditDetails: { sessions: ids.slice(0, 50), count: ids.length },
    },
    who,
  );
}

async function expireOne(stores: TStoreConfig[], sessionId: string, dryRun: boolean): Promise<TExpireResult> {
  const out: TExpireResult = { sessionId, result: "not-found", keys: [], errors: [], notes: [] };
  await Promise.all(
    stores.map(async (store) => {
      try {
        const { keys, note } = await getStoreAdapter(store.kind).expireSession!(store, sessionId, dryRun);
        out.keys.push(...keys.map((k) => ({ store: store.name, ...k })));
        if (note) out.notes.push({ store: store.name, note });
      } catch (err) {
        out.errors.push({ store: store.name, reason: (err as Error).message });
      }
    }),
  );
  // A failure in any store is a failure: the session may live on there.
  out.result = out.errors.length > 0 ? "failed" : out.keys.length === 0 ? "not-found" : dryRun ? "found" : "removed";
  return out;
}

async function runExpireSessions(db: TDb, id: number): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({ where: { id } });
  const { ids } = ZParams.parse(JSON.parse(op.params));
  const all = await storeConfigs(db, op.cluster);
  // Kinds without expireSession (jdbc-store until it has one): reported, never silently skipped.
  const unsupported = all.filter((s) => !getStoreAdapter(s.kind).expireSession).map((s) => `${s.name} (${s.kind})`);
  const stores = all.filter((s) => getStoreAdapter(s.kind).expireSession);
  // Resume: ids already done in an earlier attempt keep their result (expiring again would say "not found").
  const earlier = op.report ? ZExpireReport.parse(JSON.parse(op.report)).results : [];
  const results = new Map(earlier.map((r) => [r.sessionId, r]));
  const save = async () => {
    const list = [...results.values()];
    const progress = {
      total: ids.length,
      processed: list.length,
      changed: list.filter((r) => r.result === "removed" || r.result === "found").length,
      alreadyOk: list.filter((r) => r.result === "not-found").length,
      failedCount: list.filter((r) => r.result === "failed").length,
    };
    await saveProgress(db, id, progress);
    await db.operation.update({
      where: { id },
      data: { report: JSON.stringify({ results: list, unsupportedStores: unsupported }) },
    });
    return progress;
  };
  await saveProgress(db, id, {
    message: `${op.dryRun ? "looking up" : "expiring"} ${ids.length} session(s) in ${stores.map((s) => s.name).join(", ")}`,
  });
  const todo = ids.filter((s) => !results.has(s));
  for (let i = 0; i < todo.length; i += BATCH) {
    for (const r of await Promise.all(todo.slice(i, i + BATCH).map((sid) => expireOne(stores, sid, op.dryRun))))
      results.set(r.sessionId, r);
    await save();
  }
  const p = await save();
  const skipped =
    unsupported.length > 0 ? ` Not checked (the store kind cannot expire sessions): ${unsupported.join(", ")}.` : "";
  const message = op.dryRun
    ? `dry run: ${p.changed} of ${ids.length} session(s) found (their keys are listed), ${p.alreadyOk} not found, ${p.failedCount} failed; nothing was removed.${skipped}`
    : `${p.changed} of ${ids.length} session(s) removed, ${p.alreadyOk} not found, ${p.failedCount} failed.${skipped}`;
  await finishOperation(db, id, p.failedCount > 0 ? "failed" : "done", message, {
    results: [...results.values()],
    unsupportedStores: unsupported,
  });
}

/** The job engine runs and resumes it (jobs/registry.ts lists it). */
export const expireSessionsJob = operationJob(EXPIRE_SESSIONS, runExpireSessions);
