import { z } from "zod";
import type { TSessionCopy, TSessionDetail, TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { decodeMsmSessionValue } from "@/server/adapters/stores/memcached-msm/value";
import { decodeMsmAttributes } from "@/server/adapters/stores/java-serialization/decode";
import { standardSessionDetail } from "@/server/adapters/stores/java-serialization/session-detail";
import { countFromBatches, rowsFromBatches } from "@/server/adapters/stores/count";
import { enumerateMemcachedKeyBatches, readMemcachedNodeStats } from "@/server/adapters/stores/memcached-msm/enumerate";
import {
  backupKey,
  backupNodeFor,
  backupValidityKey,
  classifyMsmKey,
  sessionKey,
  validityKey,
} from "@/server/adapters/stores/memcached-msm/keys";
import { parseSessionId, routeOfSessionId } from "@/server/domain/session-id";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import type { TStoredKey, TStoreNode } from "@/server/adapters/stores/types";
import { AppError } from "@/server/errors";
import { expireMsmSession } from "@/server/adapters/stores/memcached-msm/expire";
import { openMsmNodeCopier } from "@/server/adapters/stores/memcached-msm/replace-node";

const ZMsmOptions = z.object({
  /** MSM storageKeyPrefix as it renders, including its trailing "_" (empty by default: bare ids). */
  storageKeyPrefix: z.string().max(200).default(""),
  /** MSM failoverNodes: left out of the primary list used for backups. */
  failoverNodes: z.array(z.string().regex(/^\w+$/)).default([]),
});
type TMsmOptions = z.infer<typeof ZMsmOptions>;

function options(store: TStoreConfig): TMsmOptions {
  return ZMsmOptions.parse(store.options);
}

/** Live sessions are the primary `ID` keys; validity, bak: and lock: keys are not sessions of their own. */
function msmSessionOf(prefix: string) {
  return (k: TStoredKey): { sessionId: string; route: string | null } | null => {
    const c = classifyMsmKey(k.key, prefix);
    if (c.role !== "session" || !c.sessionId) return null;
    return { sessionId: c.sessionId, route: routeOfSessionId(c.sessionId) };
  };
}

function nodeById(store: TStoreConfig, id: string): TStoreNode {
  const node = store.nodes.find((n) => n.id === id);
  if (!node)
    throw new AppError(
      "NOT_FOUND",
      `Session names memcached node "${id}", which store ${store.name} does not have (nodes: ${store.nodes.map((n) => n.id).join(", ")})`,
    );
  return node;
}

async function readCopy(
  store: string,
  node: TStoreNode,
  key: string,
  role: TSessionCopy["role"],
): Promise<TSessionCopy | null> {
  const client = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 2_000 });
  try {
    const got = await client.metaGet(key);
    return got
      ? {
          store,
          node: node.id,
          key,
          role,
          ttlSeconds: got.ttlSeconds ?? null,
          size: got.size ?? got.value?.length ?? 0,
        }
      : null;
  } finally {
    client.close();
  }
}

/** memcached-session-manager (MSM) layout: see ../shared/reference/session-stores.md §1. */
export const memcachedMsmAdapter: TStoreAdapter = {
  kind: "memcached-msm",
  label: "memcached (memcached-session-manager layout)",
  parseOptions: (raw) => parseStoreOptions(ZMsmOptions, raw),

  countSessions(store) {
    return countFromBatches(
      store.name,
      this.kind,
      enumerateMemcachedKeyBatches(store.nodes),
      msmSessionOf(options(store).storageKeyPrefix),
    );
  },

  enumerateSessions(store) {
    return rowsFromBatches(enumerateMemcachedKeyBatches(store.nodes), msmSessionOf(options(store).storageKeyPrefix));
  },

  /** Straight to the node the id names (primary + validity) and the node MSM backs it up on (bak: pair). */
  async lookup(store, sessionId) {
    const { storageKeyPrefix: prefix, failoverNodes } = options(store);
    const parsed = parseSessionId(sessionId);
    if (!parsed.nodeId)
      throw new AppError(
        "INVALID_INPUT",
        `Session id ${sessionId} carries no memcached node id (-n1): it was not issued by MSM with node ids`,
      );
    const primary = nodeById(store, parsed.nodeId);
    const ids = store.nodes.map((n) => n.id);
    const backupId = backupNodeFor(parsed.nodeId, ids, failoverNodes, []);
    const reads: Array<Promise<TSessionCopy | null>> = [
      readCopy(store.name, primary, sessionKey(parsed.id, prefix), "session"),
      readCopy(store.name, primary, validityKey(parsed.id, prefix), "validity"),
    ];
    if (backupId && backupId !== parsed.nodeId) {
      const backup = nodeById(store, backupId);
      reads.push(
        readCopy(store.name, backup, backupKey(parsed.id, prefix), "backup"),
        readCopy(store.name, backup, backupValidityKey(parsed.id, prefix), "backup-validity"),
      );
    }
    const settled = await Promise.allSettled(reads);
    return settled.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
  },

  nodeStats(store) {
    return Promise.all(store.nodes.map((n) => readMemcachedNodeStats(n)));
  },

  expireSession: (store, sessionId, dryRun) =>
    expireMsmSession(store, options(store).storageKeyPrefix, sessionId, dryRun),

  openNodeCopier: (store, nodeId, target) =>
    openMsmNodeCopier(store, options(store).storageKeyPrefix, nodeById(store, nodeId), target),

  /** The primary value (or, when it is gone, the bak: copy), decoded: header fields and attributes. */
  async readSession(store, sessionId) {
    const { storageKeyPrefix: prefix, failoverNodes } = options(store);
    const parsed = parseSessionId(sessionId);
    if (!parsed.nodeId) return null;
    const candidates: Array<[TStoreNode, string]> = [[nodeById(store, parsed.nodeId), sessionKey(parsed.id, prefix)]];
    const backupId = backupNodeFor(
      parsed.nodeId,
      store.nodes.map((n) => n.id),
      failoverNodes,
      [],
    );
    if (backupId && backupId !== parsed.nodeId)
      candidates.push([nodeById(store, backupId), backupKey(parsed.id, prefix)]);
    for (const [node, key] of candidates) {
      const client = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 2_000 });
      let value: Buffer | null;
      try {
        value = (await client.metaGet(key).catch(() => null))?.value ?? null;
      } finally {
        client.close();
      }
      if (!value) continue;
      return decodeDetail(node.id, key, value);
    }
    return null;
  },
};

function decodeDetail(node: string, key: string, value: Buffer): TSessionDetail {
  return standardSessionDetail(node, key, () => {
    const v = decodeMsmSessionValue(value);
    return {
      creationTime: v.creationTime,
      lastAccessedTime: v.lastAccessedTime,
      maxInactiveInterval: v.maxInactiveInterval,
      ...decodeMsmAttributes(v.attributes),
    };
  });
}
