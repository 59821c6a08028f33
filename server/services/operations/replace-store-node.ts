import { z } from "zod";
import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import type { TKeyCopy, TNodeCopier } from "@/server/adapters/stores/store-operations";
import { storeConfigs } from "@/server/services/sessions/stores";
import { AppError } from "@/server/errors";
import { finishOperation, operationJob, saveProgress } from "@/server/services/operations/operation-journal";
import { startOperation, type TWho } from "@/server/services/operations/start";
import type { TVerification } from "@/server/services/operations/operation-schema";

export const REPLACE_STORE_NODE = "store.replace-node";
/** Keys per copy round (one pipelined round trip per side). */
const CHUNK = 500;
const MAX_REPORTED_FAILURES = 20;

const ZParams = z.object({ store: z.string(), node: z.string(), host: z.string(), port: z.number().int() });
type TParams = z.infer<typeof ZParams>;

async function resolve(
  db: TDb,
  cluster: string,
  p: Pick<TParams, "store" | "node">,
): Promise<{ store: TStoreConfig; copier: NonNullable<ReturnType<typeof getStoreAdapter>["openNodeCopier"]> }> {
  const store = (await storeConfigs(db, cluster)).find((s) => s.name === p.store);
  if (!store) throw new AppError("NOT_FOUND", `No session store "${p.store}" in cluster "${cluster}"`);
  const adapter = getStoreAdapter(store.kind);
  if (!adapter.openNodeCopier)
    throw new AppError(
      "INVALID_INPUT",
      `Replacing a server is not possible for ${store.kind} stores (${store.name}): the sessions do not live on a server the console can copy from`,
    );
  if (!store.nodes.some((n) => n.id === p.node))
    throw new AppError(
      "NOT_FOUND",
      `Store ${store.name} has no node "${p.node}" (nodes: ${store.nodes.map((n) => n.id).join(", ")})`,
    );
  return { store, copier: adapter.openNodeCopier.bind(adapter) };
}

/**
 * Replaces the server behind one store node, id kept: copies every session key of the node to the new
 * server with remaining TTLs, verifies keys and bytes there, and says which configuration to change.
 * Never deletes or changes anything on the old server. Run with dryRun first.
 */
export async function startReplaceStoreNode(
  db: TDb,
  input: { cluster: string; store: string; node: string; host: string; port: number; dryRun: boolean },
  who: TWho,
) {
  const { store } = await resolve(db, input.cluster, input);
  const same = store.nodes.find((n) => n.host === input.host && n.port === input.port);
  if (same)
    throw new AppError(
      "INVALID_INPUT",
      `${input.host}:${input.port} is already node ${same.id} of store ${store.name}: the new server must be another, empty one`,
    );
  const params: TParams = { store: input.store, node: input.node, host: input.host, port: input.port };
  return startOperation(
    db,
    {
      job: replaceStoreNodeJob,
      cluster: input.cluster,
      target: `${input.store}/${input.node}`,
      params,
      dryRun: input.dryRun,
      auditAction: "store.replaceNode",
      auditDetails: { newServer: `${input.host}:${input.port}` },
    },
    who,
  );
}

/**
 * The node's session keys, listed completely before the first value is read: a memcached dump walking
 * the LRU queues while we read skipped a third of the keys in the lab (reads move items between queues),
 * and the list is what the verification re-checks. Keys only, ~100 bytes each: 100 MB per million.
 */
async function listKeys(copier: TNodeCopier): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of copier.keyBatches()) for (const k of batch) keys.push(k);
  return keys;
}

function* chunks(keys: string[]): Generator<string[]> {
  for (let i = 0; i < keys.length; i += CHUNK) yield keys.slice(i, i + CHUNK);
}

async function runReplaceStoreNode(db: TDb, id: number): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({ where: { id } });
  const p = ZParams.parse(JSON.parse(op.params));
  const { store, copier: open } = await resolve(db, op.cluster, p);
  const source = store.nodes.find((n) => n.id === p.node)!;
  const newServer = `${p.host}:${p.port}`;
  const copier = open(store, p.node, { host: p.host, port: p.port });
  try {
    await saveProgress(db, id, {
      total: 0,
      processed: 0,
      changed: 0,
      alreadyOk: 0,
      failedCount: 0,
      message: `counting ${source.id}'s session keys and what ${newServer} already holds`,
    });
    // Also proves the new server answers before anything is copied.
    const targetKeysBefore = await copier.countTargetKeys();
    const all = await listKeys(copier);
    const total = all.length;

    const tally = { copied: 0, same: 0, kept: 0, gone: 0, failed: 0 };
    const failures: Array<{ key: string; reason: string }> = [];
    const progress = { total, processed: 0, changed: 0, alreadyOk: 0, failedCount: 0 };
    await saveProgress(db, id, {
      ...progress,
      message: `${op.dryRun ? "checking" : "copying"} ${total} session keys of ${source.id} to ${newServer}`,
    });
    for (const keys of chunks(all)) {
      for (const r of await copier.copy(keys, op.dryRun)) countCopy(r, tally, failures);
      progress.processed += keys.length;
      progress.changed = tally.copied;
      progress.alreadyOk = tally.same + tally.kept + tally.gone;
      progress.failedCount = tally.failed;
      await saveProgress(db, id, progress);
    }

    const verification = op.dryRun ? null : await verify(db, id, copier, all, source.id, newServer);
    const report = {
      source: `${source.id} ${source.host}:${source.port}`,
      target: newServer,
      node: source.id,
      targetKeysBefore,
      ...tally,
      failures,
      verification,
      configChange: copier.configChange(),
    };
    const complete =
      verification !== null && tally.failed === 0 && verification.missing === 0 && verification.differs === 0;
    await finishOperation(
      db,
      id,
      tally.failed > 0 ? "failed" : "done",
      outcomeMessage(op.dryRun, source.id, newServer, targetKeysBefore, tally, verification),
      { ...report, complete },
    );
  } finally {
    copier.close();
  }
}

function countCopy(
  r: TKeyCopy,
  tally: Record<TKeyCopy["result"], number>,
  failures: Array<{ key: string; reason: string }>,
): void {
  tally[r.result]++;
  if (r.result === "failed" && failures.length < MAX_REPORTED_FAILURES) failures.push({ key: r.key, reason: r.reason });
}

/**
 * A second pass over the old server's keys, comparing bytes on both sides. The keys are those of the copy
 * pass plus a fresh listing (new sessions): a crawl right after many reads can miss a key that memcached's
 * LRU maintainer is still moving between lists (seen in the lab), and neither listing alone is complete.
 */
async function verify(
  db: TDb,
  id: number,
  copier: TNodeCopier,
  copied: string[],
  nodeId: string,
  newServer: string,
): Promise<TVerification> {
  await saveProgress(db, id, { message: `verifying ${nodeId}'s keys on ${newServer}` });
  const v: TVerification = {
    sourceKeys: 0,
    sourceBytes: 0,
    targetKeys: 0,
    targetBytes: 0,
    missing: 0,
    differs: 0,
    targetSessionKeys: 0,
    examples: [],
  };
  const union = [...new Set([...copied, ...(await listKeys(copier))])];
  for (const keys of chunks(union)) {
    for (const c of await copier.check(keys)) {
      if (c.state === "gone") continue;
      v.sourceKeys++;
      v.sourceBytes += c.sourceBytes;
      if (c.state === "missing") v.missing++;
      else {
        v.targetKeys++;
        v.targetBytes += c.targetBytes;
        if (c.state === "differs") v.differs++;
      }
      if (c.state !== "same" && v.examples.length < MAX_REPORTED_FAILURES)
        v.examples.push({ key: c.key, state: c.state });
    }
  }
  v.targetSessionKeys = await copier.countTargetKeys();
  return v;
}

function outcomeMessage(
  dryRun: boolean,
  node: string,
  newServer: string,
  before: number,
  t: { copied: number; same: number; kept: number; gone: number; failed: number },
  v: TVerification | null,
): string {
  const seen = t.copied + t.same + t.kept + t.gone + t.failed;
  const notEmpty =
    before > 0
      ? ` Note: ${newServer} already holds ${before} session keys of this store (not an empty server, or an earlier run).`
      : "";
  if (dryRun)
    return `dry run: ${t.copied} of ${seen} session keys of ${node} would be copied to ${newServer} (${t.same} already there, ${t.kept} there with another value, kept); nothing was changed.${notEmpty}`;
  if (t.failed > 0)
    return `${t.failed} session key(s) could not be copied to ${newServer}: do NOT switch ${node} to it yet; fix the cause and run again (copied keys stay, nothing was deleted)`;
  const counts = `${v!.targetKeys} of ${v!.sourceKeys} keys (${v!.targetBytes} of ${v!.sourceBytes} bytes) on ${newServer}`;
  if (v!.missing === 0 && v!.differs === 0)
    return `every session key of ${node} is on ${newServer}: ${counts}, all identical. Now make the configuration change below.`;
  return `copied ${t.copied} keys; ${counts}: ${v!.missing} missing and ${v!.differs} different (created or changed on ${node} after they were copied, by live traffic). Make the configuration change below, then run again to carry them over.`;
}

/** The job engine runs and resumes it (jobs/registry.ts lists it). */
export const replaceStoreNodeJob = operationJob(REPLACE_STORE_NODE, runReplaceStoreNode);
