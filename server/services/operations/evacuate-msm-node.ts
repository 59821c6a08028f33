import { z } from "zod";
import type { TDb } from "@/server/db";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import type { TMetaGetResult } from "@/server/adapters/stores/memcached-text/protocol";
import { enumerateMemcachedKeyBatches } from "@/server/adapters/stores/memcached-msm/enumerate";
import {
  backupKey,
  backupNodeFor,
  backupValidityKey,
  classifyMsmKey,
  sessionKey,
  validityKey,
} from "@/server/adapters/stores/memcached-msm/keys";
import { parseSessionId } from "@/server/domain/session-id";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { storeConfigs } from "@/server/services/sessions/sessions";
import { recordAudit } from "@/server/services/audit/audit";
import { AppError } from "@/server/errors";
import { finishOperation, launch, registerRunner, saveProgress } from "@/server/services/operations/journal";
import type { TPrincipal } from "@/server/auth/principal";

export const EVACUATE_MSM_NODE = "store.evacuate-node";
const BATCH = 200;
const MAX_REPORTED_FAILURES = 20;

const ZParams = z.object({ store: z.string(), node: z.string() });

/**
 * Evacuating MSM node nX (../shared/reference/session-stores.md §1.6, point 3): when nX goes down, MSM
 * restores each session from the `bak:` pair on the next node. So: for every session whose id names nX,
 * make sure that pair exists there with the current bytes and the remaining TTL; copy it from nX where
 * it is missing or stale; read it back. Nothing is ever deleted: the source copy stays until nX is gone.
 */
export async function startEvacuateMsmNode(
  db: TDb,
  input: { cluster: string; store: string; node: string; dryRun: boolean },
  who: { principal: TPrincipal | null; ip: string | null },
) {
  const store = (await storeConfigs(db, input.cluster)).find((s) => s.name === input.store);
  if (!store) throw new AppError("NOT_FOUND", `No session store "${input.store}" in cluster "${input.cluster}"`);
  if (store.kind !== "memcached-msm")
    throw new AppError(
      "INVALID_INPUT",
      `Evacuating a node is for memcached-msm stores; ${store.name} is ${store.kind}`,
    );
  if (!store.nodes.some((n) => n.id === input.node))
    throw new AppError(
      "NOT_FOUND",
      `Store ${store.name} has no node "${input.node}" (nodes: ${store.nodes.map((n) => n.id).join(", ")})`,
    );
  const running = await db.operation.findFirst({
    where: {
      kind: EVACUATE_MSM_NODE,
      cluster: input.cluster,
      target: `${input.store}/${input.node}`,
      state: { in: ["pending", "running"] },
    },
  });
  if (running)
    throw new AppError("CONFLICT", `Operation #${running.id} is already evacuating ${input.store}/${input.node}`);
  const op = await db.operation.create({
    data: {
      kind: EVACUATE_MSM_NODE,
      cluster: input.cluster,
      target: `${input.store}/${input.node}`,
      params: JSON.stringify({ store: input.store, node: input.node }),
      dryRun: input.dryRun,
      state: "pending",
      startedBy: who.principal?.username ?? null,
    },
  });
  await recordAudit(db, {
    principal: who.principal,
    ip: who.ip,
    action: input.dryRun ? "store.evacuateNode.dryRun" : "store.evacuateNode",
    cluster: input.cluster,
    target: op.target,
    result: "ok",
    details: { operationId: op.id },
  });
  launch(db, op.id, EVACUATE_MSM_NODE);
  return op;
}

async function runEvacuateMsmNode(db: TDb, id: number): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({ where: { id } });
  const params = ZParams.parse(JSON.parse(op.params));
  const store = (await storeConfigs(db, op.cluster)).find((s) => s.name === params.store);
  if (!store) throw new AppError("NOT_FOUND", `Store ${params.store} is no longer in cluster ${op.cluster}`);
  const prefix = String(store.options.storageKeyPrefix ?? "");
  const failoverNodes = (store.options.failoverNodes as string[] | undefined) ?? [];
  const source = store.nodes.find((n) => n.id === params.node);
  if (!source) throw new AppError("NOT_FOUND", `Node ${params.node} is no longer in store ${store.name}`);
  // Where MSM will look when the source is down: the next node in memcachedNodes order.
  const targetId = backupNodeFor(
    source.id,
    store.nodes.map((n) => n.id),
    failoverNodes,
    [source.id],
  );
  const target = store.nodes.find((n) => n.id === targetId);
  if (!target || target.id === source.id)
    throw new AppError(
      "CONFLICT",
      `Store ${store.name} has no other node for ${source.id}'s backups: with one node, evacuating loses every session`,
    );

  await saveProgress(db, id, {
    total: 0,
    processed: 0,
    changed: 0,
    alreadyOk: 0,
    failedCount: 0,
    message: `listing ${source.id}'s sessions`,
  });
  const ids = await listPrimarySessions(source, prefix);
  const progress = { total: ids.length, processed: 0, changed: 0, alreadyOk: 0, failedCount: 0 };
  await saveProgress(db, id, { ...progress, message: `${op.dryRun ? "checking" : "copying"} backups to ${target.id}` });

  const failures: Array<{ sessionId: string; reason: string }> = [];
  const src = new MemcachedTextClient({ host: source.host, port: source.port, timeoutMs: 5_000 });
  const dst = new MemcachedTextClient({ host: target.host, port: target.port, timeoutMs: 5_000 });
  try {
    for (let i = 0; i < ids.length; i += BATCH) {
      const outcomes = await Promise.all(
        ids.slice(i, i + BATCH).map((sid) => ensureBackupPair(src, dst, sid, prefix, op.dryRun)),
      );
      for (const o of outcomes) {
        progress.processed++;
        if (o.kind === "ok" || o.kind === "gone") progress.alreadyOk++;
        else if (o.kind === "changed") progress.changed++;
        else {
          progress.failedCount++;
          if (failures.length < MAX_REPORTED_FAILURES) failures.push({ sessionId: o.sessionId, reason: o.reason });
        }
      }
      await saveProgress(db, id, progress);
    }
  } finally {
    src.close();
    dst.close();
  }
  const safe = !op.dryRun && progress.failedCount === 0;
  const message = op.dryRun
    ? `dry run: ${progress.changed} of ${progress.total} sessions on ${source.id} lack a current backup pair on ${target.id}; nothing was changed`
    : safe
      ? `every session on ${source.id} has its backup pair on ${target.id}: ${source.id} is safe to take down (MSM restores from ${target.id})`
      : `${progress.failedCount} session(s) could not be backed up to ${target.id}: NOT safe to take ${source.id} down`;
  await finishOperation(db, id, progress.failedCount > 0 ? "failed" : "done", message, {
    source: source.id,
    target: target.id,
    safeToTakeDown: safe,
    failures,
    ...progress,
  });
}

async function listPrimarySessions(node: TStoreNode, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const batch of enumerateMemcachedKeyBatches([node])) {
    for (const k of batch) {
      const c = classifyMsmKey(k.key, prefix);
      if (c.role !== "session" || !c.sessionId) continue;
      try {
        if (parseSessionId(c.sessionId).nodeId === node.id) ids.push(c.sessionId);
      } catch {
        // not an MSM id: not ours to move
      }
    }
  }
  return ids;
}

type TOutcome =
  | { kind: "ok"; sessionId: string }
  | { kind: "changed"; sessionId: string }
  | { kind: "gone"; sessionId: string }
  | { kind: "failed"; sessionId: string; reason: string };

/**
 * One session: the bak pair on the target must equal the primary pair on the source (bytes), with its TTL.
 * The application rewrites both pairs on every request while this runs, so a copy must never roll a
 * newer backup back: the backup is read first (with its CAS token), then the primary, and the copy is
 * written only with "add" (backup missing) or compare-and-swap (backup unchanged since it was read). If
 * either refuses, the application wrote a fresh pair in between, which is what we wanted anyway.
 */
async function ensureBackupPair(
  src: MemcachedTextClient,
  dst: MemcachedTextClient,
  sid: string,
  prefix: string,
  dryRun: boolean,
): Promise<TOutcome> {
  try {
    const bak = await dst.metaGet(backupKey(sid, prefix));
    const bakValidity = await dst.metaGet(backupValidityKey(sid, prefix));
    const [primary, validity] = await Promise.all([
      src.metaGet(sessionKey(sid, prefix)),
      src.metaGet(validityKey(sid, prefix)),
    ]);
    if (!primary?.value) return { kind: "gone", sessionId: sid }; // expired or invalidated meanwhile
    const pairs: Array<[string, TMetaGetResult, TMetaGetResult | null]> = [[backupKey(sid, prefix), primary, bak]];
    if (validity?.value) pairs.push([backupValidityKey(sid, prefix), validity, bakValidity]);
    const stale = pairs.filter(([, from, to]) => !to?.value || !to.value.equals(from.value!));
    if (stale.length === 0) return { kind: "ok", sessionId: sid };
    if (dryRun) return { kind: "changed", sessionId: sid };
    for (const [key, from, to] of stale) {
      // Remaining TTL, not a fresh one: the copy must not outlive the session.
      const ttl = from.ttlSeconds === null || from.ttlSeconds === undefined ? 0 : Math.max(1, from.ttlSeconds);
      const status = await dst.metaSet(key, from.value!, {
        ttlSeconds: ttl,
        flags: from.flags ?? 0,
        ...(to?.value ? { casToken: to.cas } : { mode: "E" as const }),
      });
      if (status === "EX" || status === "NS") continue; // the application wrote a newer pair meanwhile
      if (status !== "HD")
        return { kind: "failed", sessionId: sid, reason: `storing ${key} on the target answered ${status}` };
    }
    // Read back: present now, either our copy or a newer one the application wrote.
    for (const [key] of stale) {
      if (!(await dst.metaGet(key))?.value)
        return { kind: "failed", sessionId: sid, reason: `${key} is not on the target after copying` };
    }
    return { kind: "changed", sessionId: sid };
  } catch (err) {
    return { kind: "failed", sessionId: sid, reason: (err as Error).message };
  }
}

registerRunner(EVACUATE_MSM_NODE, runEvacuateMsmNode);
