import { z } from "zod";
import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import { storeConfig } from "@/server/services/sessions/stores";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { AppError } from "@/server/errors";
import { finishOperation, operationJob, saveProgress } from "@/server/services/operations/operation-journal";
import { startOperation, type TWho } from "@/server/services/operations/start";

export const EVACUATE_STORE_NODE = "store.evacuate-node";
/** Sessions per pipelined round of the evacuator (and per journal write). */
const BATCH = 1_000;
/** Batches being evacuated at once (see the lanes below). */
const BATCHES_IN_FLIGHT = 4;
const MAX_REPORTED_FAILURES = 20;

const ZParams = z.object({ store: z.string(), node: z.string() });

/**
 * Makes a store node safe to take down, where the kind can (capability evacuateNode: MSM): every session
 * whose primary copy the node holds gets its copy where the application falls back to, with the remaining
 * TTL, read back. Nothing is deleted. Run with dryRun first. Journaled: a console restart runs it again
 * (each session is re-checked, so a second run only does what is left).
 */
export async function startEvacuateStoreNode(
  db: TDb,
  input: { cluster: string; store: string; node: string; dryRun: boolean },
  who: TWho,
) {
  const store = await storeConfig(db, input.cluster, input.store);
  const adapter = getStoreAdapter(store.kind);
  if (!adapter.capabilities.evacuateNode || !adapter.openNodeEvacuator)
    throw new AppError(
      "INVALID_INPUT",
      `Evacuating a node is not possible for ${adapter.label} stores (${store.name}): the kind keeps no copy elsewhere to fall back to`,
    );
  if (!store.nodes.some((n) => n.id === input.node))
    throw new AppError(
      "NOT_FOUND",
      `Store ${store.name} has no node "${input.node}" (nodes: ${store.nodes.map((n) => n.id).join(", ")})`,
    );
  if (!adapter.fallbackNode?.(store, input.node))
    throw new AppError(
      "CONFLICT",
      `Store ${store.name} has no other node for ${input.node}'s backups: with one node, evacuating loses every session`,
    );
  return startOperation(
    db,
    {
      job: evacuateStoreNodeJob,
      cluster: input.cluster,
      target: `${input.store}/${input.node}`,
      params: { store: input.store, node: input.node },
      dryRun: input.dryRun,
      auditAction: "store.evacuateNode",
    },
    who,
  );
}

async function runEvacuateStoreNode(db: TDb, id: number): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({ where: { id } });
  const params = ZParams.parse(JSON.parse(op.params));
  const store = await storeConfig(db, op.cluster, params.store);
  const adapter = getStoreAdapter(store.kind);
  if (!adapter.openNodeEvacuator) throw new AppError("INVALID_INPUT", `${store.kind} stores cannot evacuate a node`);
  const evacuator = adapter.openNodeEvacuator(store, params.node);
  const scans = sessionScans();
  const release = await scans.hold(db, op.cluster);
  try {
    await saveProgress(db, id, {
      total: 0,
      processed: 0,
      changed: 0,
      alreadyOk: 0,
      failedCount: 0,
      message: `listing ${params.node}'s sessions (session index of ${store.name})`,
    });
    // The shared index, from a scan that started after this run did (the one in flight is shared when it
    // qualifies): an older listing could miss sessions created since and report the node safe to take down.
    await scans.awaitScan(db, op.cluster, Date.now(), store.name);
    const view = (await scans.snapshot(db, op.cluster)).find((v) => v.ref.id === store.id);
    const seg = view?.segment;
    const nodeScan = seg?.nodeScans[params.node];
    if (!seg || !nodeScan?.scannedAt || nodeScan.error)
      throw new AppError(
        "CONFLICT",
        `Could not list ${params.node}'s sessions: ${nodeScan?.error ?? "the node was not scanned"}`,
      );
    const n = seg.nodes.indexOf(params.node);
    const ids: string[] = [];
    for (let i = 0; i < seg.ids.length; i++) if (seg.node[i] === n) ids.push(seg.ids.get(i));

    const progress = { total: ids.length, processed: 0, changed: 0, alreadyOk: 0, failedCount: 0 };
    const verb = op.dryRun ? "checking" : "copying";
    await saveProgress(db, id, {
      ...progress,
      message: `${verb} ${ids.length} sessions' copies on ${evacuator.fallback}`,
    });
    const failures: Array<{ sessionId: string; reason: string }> = [];
    // BATCHES_IN_FLIGHT lanes take the next batch as they finish one: each batch's reads and writes stay
    // in their order (backup, then primary, then add/CAS, then read back), while other batches' round trips
    // keep both servers busy in the meantime. Progress counts finished batches only, so a resumed run
    // re-checks at most the batches that were in flight.
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const batch = ids.slice(next, next + BATCH);
        next += BATCH;
        for (const o of await evacuator.ensure(batch, op.dryRun)) {
          progress.processed++;
          if (o.result === "ok" || o.result === "gone") progress.alreadyOk++;
          else if (o.result === "changed") progress.changed++;
          else if (o.result === "failed") {
            progress.failedCount++;
            if (failures.length < MAX_REPORTED_FAILURES) failures.push({ sessionId: o.sessionId, reason: o.reason });
          }
        }
        await saveProgress(db, id, { ...progress });
      }
    };
    await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, lane));
    // The lanes' progress writes run concurrently and may reach the database out of order: an older
    // snapshot could land last (seen once: done with 99,000 of 100,000 processed). The final counts are
    // written once more, alone, now that no lane writes.
    await saveProgress(db, id, { ...progress });
    const source = params.node;
    const target = evacuator.fallback;
    const safe = !op.dryRun && progress.failedCount === 0;
    const listed = new Date(seg.scanStartedAt).toISOString();
    const message = op.dryRun
      ? `dry run: ${progress.changed} of ${progress.total} sessions on ${source} (listed by the scan of ${listed}) lack a current copy on ${target}; nothing was changed`
      : safe
        ? `every session on ${source} (listed by the scan of ${listed}) has its copy on ${target}: ${source} is safe to take down (the application falls back to ${target})`
        : `${progress.failedCount} session(s) could not be copied to ${target}: NOT safe to take ${source} down`;
    await finishOperation(db, id, progress.failedCount > 0 ? "failed" : "done", message, {
      source,
      target,
      listedAt: seg.scanStartedAt,
      safeToTakeDown: safe,
      failures,
      ...progress,
    });
  } finally {
    evacuator.close();
    release();
  }
}

/** The job engine runs and resumes it (jobs/registry.ts lists it). */
export const evacuateStoreNodeJob = operationJob(EVACUATE_STORE_NODE, runEvacuateStoreNode);
