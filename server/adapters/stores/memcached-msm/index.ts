import { z } from "zod";
import type {
  TCopyExpectations,
  TRouteVerification,
  TSessionCopy,
  TSessionDetail,
  TStoreAdapter,
  TStoreConfig,
} from "@/server/adapters/stores/adapter";
import { decodeMsmSessionValue } from "@/server/adapters/stores/memcached-msm/value";
import { decodeMsmAttributes } from "@/server/adapters/stores/java-serialization/decode";
import { standardSessionDetail } from "@/server/adapters/stores/java-serialization/session-detail";
import {
  backupKey,
  backupNodeFor,
  backupValidityKey,
  sessionKey,
  validityKey,
} from "@/server/adapters/stores/memcached-msm/keys";
import { parseSessionId } from "@/server/domain/session-id";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import {
  isValidTextKey,
  presenceCommands,
  type TMetaGetResult,
} from "@/server/adapters/stores/memcached-text/protocol";
import { idAt, type TIdList } from "@/server/adapters/stores/scan-batch";
import { memcachedReading } from "@/server/adapters/stores/memcached-text/node-stats";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { AppError } from "@/server/errors";
import { expireMsmSession } from "@/server/adapters/stores/memcached-msm/expire";
import { openMsmNodeCopier } from "@/server/adapters/stores/memcached-msm/replace-node";
import { openMsmEvacuator } from "@/server/adapters/stores/memcached-msm/evacuate";
import { scanMsmNode } from "@/server/adapters/stores/memcached-msm/scan";

const ZMsmOptions = z.object({
  /** MSM storageKeyPrefix as it renders, including its trailing "_" (empty by default: bare ids). */
  storageKeyPrefix: z.string().max(200).default(""),
  /** MSM failoverNodes: left out of the primary list used for backups. */
  failoverNodes: z.array(z.string().regex(/^\w+$/)).default([]),
  /**
   * MSM's sticky mode (its default): a Tomcat keeps its sessions in memory and memcached holds the copy
   * the others fail over to, so a session missing from memcached exists only on its Tomcat. Non-sticky:
   * memcached is the only home, and a missing session is simply gone.
   */
  sticky: z.boolean().default(true),
  /**
   * MSM's transcoderFactoryClass in short: "java" (its default, JavaSerializationTranscoderFactory) or the
   * name of another (kryo, javolution, xstream, flexjson). Only the Java stream is decoded; the header of
   * every value is MSM's own and is read whatever the transcoder.
   */
  transcoder: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, "a short lowercase name such as java or kryo")
    .default("java"),
});
type TMsmOptions = z.infer<typeof ZMsmOptions>;

const options = (store: TStoreConfig): TMsmOptions => ZMsmOptions.parse(store.options);

/** Lookups per pipelined round trip in a targeted check. */
const VERIFY_CHUNK = 5_000;
/** Chunks of a targeted check sent before the first answer is awaited. */
const VERIFY_WINDOW = 4;

/** Positions of the route's sessions per node (node i's primaries are checked on node i). */
function rowsByNode(node: Uint16Array, nodes: number): Uint32Array[] {
  const counts = new Uint32Array(nodes);
  for (let i = 0; i < node.length; i++) counts[node[i]!]!++;
  const rows = Array.from(counts, (n) => new Uint32Array(n));
  const filled = new Uint32Array(nodes);
  for (let i = 0; i < node.length; i++) rows[node[i]!]![filled[node[i]!]!++] = i;
  return rows;
}

function keyPrefixBytes(prefix: string): Buffer {
  if (prefix.length > 0 && !isValidTextKey(prefix))
    throw new AppError("INVALID_INPUT", `storageKeyPrefix ${JSON.stringify(prefix)} cannot be part of a memcached key`);
  return Buffer.from(prefix);
}

/**
 * Which of the keys `<prefix><id>` (ids at `rows`) the node holds: pipelined `mg`, VERIFY_CHUNK per round
 * trip and VERIFY_WINDOW round trips in flight; a node the store does not have holds none of them.
 */
async function presentOn(
  store: TStoreConfig,
  nodeId: string | null,
  prefix: Buffer,
  ids: TIdList,
  rows: Uint32Array,
): Promise<Uint8Array> {
  const out = new Uint8Array(rows.length);
  const node = nodeId ? store.nodes.find((n) => n.id === nodeId) : undefined;
  if (!node) return out;
  const c = client(node, 10_000);
  try {
    for (let i = 0; i < rows.length; i += VERIFY_CHUNK * VERIFY_WINDOW) {
      const window: Array<Promise<void>> = [];
      for (let j = i; j < Math.min(rows.length, i + VERIFY_CHUNK * VERIFY_WINDOW); j += VERIFY_CHUNK) {
        const part = rows.subarray(j, j + VERIFY_CHUNK);
        window.push(c.metaPresentMany(presenceCommands(prefix, ids, part), part.length).then((p) => out.set(p, j)));
      }
      await Promise.all(window);
    }
    return out;
  } finally {
    c.close();
  }
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

function client(node: TStoreNode, timeoutMs = 2_000): MemcachedTextClient {
  return new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs });
}

/** The node whose bak: keys back `nodeId`'s sessions up when `nodeId` is down (null: none). */
function fallbackOf(store: TStoreConfig, nodeId: string): string | null {
  try {
    const id = backupNodeFor(
      nodeId,
      store.nodes.map((n) => n.id),
      options(store).failoverNodes,
      [nodeId],
    );
    return id === nodeId ? null : id;
  } catch {
    return null; // a failover node (not a primary) backs nothing up
  }
}

/** Reads the keys of one node in one pipelined round trip; a node that cannot be read gives no copies. */
async function readKeys(node: TStoreNode, keys: string[]): Promise<Array<TMetaGetResult | null>> {
  const c = client(node);
  try {
    return await c.metaGetMany(keys, "v t s f");
  } catch {
    return keys.map(() => null);
  } finally {
    c.close();
  }
}

/** memcached-session-manager (MSM) layout: see docs/reference/session-stores.md §1. */
export const memcachedMsmAdapter: TStoreAdapter = {
  kind: "memcached-msm",
  label: "memcached (memcached-session-manager layout)",
  capabilities: { enumerate: true, stats: true, lookup: true, evacuateNode: true, replaceNode: true, expire: true },
  verifyRouteFromIndex: true,
  keepsBackupCopies: true,
  parseOptions: (raw) => parseStoreOptions(ZMsmOptions, raw),

  scanNode: (store, node, hooks) => scanMsmNode(node, options(store).storageKeyPrefix, hooks),

  async readNodeStats(_store, node, timeoutMs) {
    const c = client(node, timeoutMs);
    try {
      return memcachedReading(await c.stats());
    } finally {
      c.close();
    }
  },

  /**
   * Straight to the node the id names (primary + validity) and the node MSM backs it up on (bak: pair),
   * each node in one round trip; the content is decoded from the value already read (the primary, or the
   * backup when the primary is gone).
   */
  async locate(store, sessionId) {
    const { storageKeyPrefix: prefix, sticky } = options(store);
    const parsed = parseSessionId(sessionId);
    // An id without a node part, or naming a node this store does not have, is another store's session.
    if (!parsed.nodeId || !store.nodes.some((n) => n.id === parsed.nodeId)) return { copies: [], detail: null };
    const primary = nodeById(store, parsed.nodeId);
    const backupId = fallbackOf(store, parsed.nodeId);
    const wanted: Array<[TStoreNode, Array<[string, TSessionCopy["role"]]>]> = [
      [
        primary,
        [
          [sessionKey(parsed.id, prefix), "session"],
          [validityKey(parsed.id, prefix), "validity"],
        ],
      ],
    ];
    if (backupId)
      wanted.push([
        nodeById(store, backupId),
        [
          [backupKey(parsed.id, prefix), "backup"],
          [backupValidityKey(parsed.id, prefix), "backup-validity"],
        ],
      ]);
    const read = await Promise.all(
      wanted.map(([node, keys]) =>
        readKeys(
          node,
          keys.map(([k]) => k),
        ),
      ),
    );
    const copies: TSessionCopy[] = [];
    let detail: TSessionDetail | null = null;
    wanted.forEach(([node, keys], n) =>
      keys.forEach(([key, role], k) => {
        const got = read[n]![k];
        if (!got) return;
        copies.push({
          store: store.name,
          node: node.id,
          key,
          role,
          ttlSeconds: got.ttlSeconds ?? null,
          size: got.size ?? got.value?.length ?? 0,
        });
        if (!detail && got.value && (role === "session" || role === "backup"))
          detail = decodeMsmDetail(node.id, key, got.value, options(store).transcoder);
      }),
    );
    const expect = msmCopyExpectations(copies, sticky, store.nodes.length);
    if (sticky && !copies.some((c) => c.role === "session" || c.role === "backup"))
      expect.missing = `no copy in memcached ${parsed.nodeId}: in sticky mode the session is then only in the memory of its Tomcat${parsed.route ? ` (route ${parsed.route})` : ""}, and its user starts over if that Tomcat stops or fails`;
    return { copies, detail, expect };
  },

  /**
   * The sessions the index routes to a member, each looked for where MSM would load it from: its primary
   * key on its node, else its bak: key on the fallback node. Pipelined per node.
   */
  async verifyRoute(store, _route, sessions) {
    const { storageKeyPrefix: prefix, sticky } = options(store);
    const result: TRouteVerification = { checked: sessions.ids.count, safe: 0, gone: 0, unsafeCount: 0, unsafe: [] };
    const rowsOf = rowsByNode(sessions.node, sessions.nodeNames.length);
    const primaryPrefix = keyPrefixBytes(sessionKey("", prefix));
    const backupPrefix = keyPrefixBytes(backupKey("", prefix));
    await Promise.all(
      sessions.nodeNames.map(async (nodeId, ni) => {
        const rows = rowsOf[ni]!;
        if (rows.length === 0) return;
        // An unreachable primary node is a missing primary: the backups decide.
        const primaries = await presentOn(store, nodeId, primaryPrefix, sessions.ids, rows).catch(
          () => new Uint8Array(rows.length),
        );
        const missing = rows.filter((_, k) => primaries[k] === 0);
        const backups =
          missing.length > 0
            ? await presentOn(store, fallbackOf(store, nodeId), backupPrefix, sessions.ids, missing)
            : new Uint8Array(0);
        result.safe += rows.length - missing.length;
        missing.forEach((row, k) => {
          if (backups[k] === 1) result.safe++;
          else if (!sticky) result.gone++;
          else {
            result.unsafeCount++;
            if (result.unsafe.length < 50) result.unsafe.push(idAt(sessions.ids, row));
          }
        });
      }),
    );
    return result;
  },

  fallbackNode: fallbackOf,

  expireSession: (store, sessionId, dryRun) =>
    expireMsmSession(store, options(store).storageKeyPrefix, sessionId, dryRun),

  openNodeCopier: (store, nodeId, target) =>
    openMsmNodeCopier(store, options(store).storageKeyPrefix, nodeById(store, nodeId), target),

  openNodeEvacuator(store, nodeId) {
    const o = options(store);
    return openMsmEvacuator(store, o.storageKeyPrefix, o.failoverNodes, nodeById(store, nodeId));
  },
};

/**
 * What MSM's copies of one session should look like. Non-sticky MSM writes validity: beside the session
 * and a bak: pair on the next node; sticky MSM writes the session key only (the Tomcat holds the primary),
 * with a TTL of maxInactiveInterval − 6 s (docs/reference/session-stores.md §1.7). The layout is read from
 * the keys found (a validity: or bak: key means non-sticky); with none of them, the store's `sticky`
 * option decides.
 */
export function msmCopyExpectations(
  copies: readonly TSessionCopy[],
  sticky: boolean,
  nodes: number,
): TCopyExpectations {
  const nonSticky = copies.some((c) => c.role !== "session");
  if (nonSticky || !sticky)
    return {
      backupCopy: nodes > 1,
      ttlShortfallSeconds: 0,
      layout: nonSticky ? "non-sticky (validity: and bak: keys found)" : "non-sticky (store option sticky: false)",
    };
  return {
    backupCopy: false,
    ttlShortfallSeconds: 6,
    layout: "sticky (session key only: the Tomcat holds the primary, memcached the copy it fails over to)",
  };
}

/** A Java serialization stream starts with STREAM_MAGIC 0xACED and STREAM_VERSION 5. */
const JAVA_STREAM = Buffer.from([0xac, 0xed, 0x00, 0x05]);

/**
 * MSM's header (times, timeout, id) is its own format whatever the transcoder; only the attributes after
 * it are the transcoder's. Those are decoded when they are a Java serialization stream; otherwise the
 * detail says, once, which transcoder wrote them instead of reporting a value that "does not decode".
 */
export function decodeMsmDetail(node: string, key: string, value: Buffer, transcoder = "java"): TSessionDetail {
  return standardSessionDetail(node, key, () => {
    const v = decodeMsmSessionValue(value);
    const header = {
      creationTime: v.creationTime,
      lastAccessedTime: v.lastAccessedTime,
      maxInactiveInterval: v.maxInactiveInterval,
    };
    if (v.attributes.length === 0) return { ...header, attributes: {}, notSerializable: [] };
    if (v.attributes.subarray(0, 4).equals(JAVA_STREAM)) return { ...header, ...decodeMsmAttributes(v.attributes) };
    const by =
      transcoder === "java"
        ? "another transcoder than Java serialization (Kryo, Javolution, …): not decoded. The store's inventory may name it (options.transcoder)"
        : `the ${transcoder} transcoder: not decoded`;
    return {
      ...header,
      attributes: {},
      notSerializable: [],
      attributesNote: `The attributes (${v.attributes.length} bytes) were written by ${by}.`,
    };
  });
}
