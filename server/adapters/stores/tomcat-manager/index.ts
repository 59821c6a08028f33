import { z } from "zod";
import type { TSessionCopy, TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { ScanBatchWriter } from "@/server/adapters/stores/scan-batch";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import {
  managerReading,
  parseInvokeResult,
  parseJavaTime,
  parseListSessionIds,
  parseMbeanAttributes,
  readingMovesSession,
  replicaSafety,
} from "@/server/adapters/stores/tomcat-manager/jmxproxy";
import { routeOfSessionId } from "@/server/domain/session-id";
import { TargetUnreachableError, UnexpectedResponseError } from "@/server/errors";

const ZOptions = z.object({
  /** The application's context path, e.g. /app. */
  context: z.string().regex(/^\/[\w./-]*$/, "a context path such as /app"),
  username: z.string().min(1),
  password: z.string().default(""),
  host: z.string().default("localhost"),
});
type TOptions = z.infer<typeof ZOptions>;

const options = (s: TStoreConfig): TOptions => ZOptions.parse(s.options);
const mbean = (o: TOptions) => `Catalina:type=Manager,context=${o.context},host=${o.host}`;

function jmx(node: TStoreNode, o: TOptions, query: string, timeoutMs = 5_000): Promise<string> {
  return fetchText(`http://${node.host}:${node.port}/manager/jmxproxy?${query}`, {
    timeoutMs,
    username: o.username,
    password: o.password,
  });
}

/** Ids held by one node: its own sessions and, with DeltaManager/BackupManager, the replicas it keeps. */
export function listNodeSessionIds(node: TStoreNode, o: TOptions): Promise<string[]> {
  return jmx(node, o, `invoke=${encodeURIComponent(mbean(o))}&op=listSessionIds`).then(parseListSessionIds);
}

/**
 * The Tomcat refused the connection: it is not running, and what it kept in memory went with it. (A
 * timeout or an error answer says nothing of the sessions: those stay failures.)
 */
function isDown(err: unknown): boolean {
  return err instanceof TargetUnreachableError && err.context.cause === "ECONNREFUSED";
}

/** The node's ids; none when its Tomcat is down (its in-memory copies are gone). */
function listIdsUnlessDown(node: TStoreNode, o: TOptions): Promise<string[]> {
  return listNodeSessionIds(node, o).catch((err: unknown) => {
    if (isDown(err)) return [];
    throw err;
  });
}

export async function idsByNode(store: TStoreConfig): Promise<Record<string, string[]>> {
  const o = options(store);
  const lists = await Promise.all(store.nodes.map(async (n) => [n.id, await listNodeSessionIds(n, o)] as const));
  return Object.fromEntries(lists);
}

/**
 * In-memory and replicated sessions (StandardManager, DeltaManager, BackupManager), read through each
 * Tomcat's Manager app JMX proxy. Store nodes are the Tomcats, named by their jvmRoute.
 */
export const tomcatManagerAdapter: TStoreAdapter = {
  kind: "tomcat-manager",
  label: "Tomcat sessions in memory / replicated (Manager app JMX proxy)",
  capabilities: { enumerate: true, stats: true, lookup: true, evacuateNode: false, replaceNode: false, expire: true },
  verifyRouteFromIndex: false,
  keepsBackupCopies: false,
  parseOptions: (raw) => parseStoreOptions(ZOptions, raw),

  /** One row per node holding a copy (primary or replica); the session index merges them by id. A Tomcat that is down holds none. */
  async *scanNode(store, node) {
    const ids = await listIdsUnlessDown(node, options(store));
    const writer = new ScanBatchWriter();
    for (let i = 0; i < ids.length; i += 1000) {
      for (const id of ids.slice(i, i + 1000)) writer.addSessionId(id, null, 0, null);
      writer.countKeys(Math.min(1000, ids.length - i));
      yield writer.take();
    }
  },

  /**
   * A session is safe when another Tomcat that stays up holds a replica of it (DeltaManager: all;
   * BackupManager: one, its backup). The replicas are where Tomcat keeps them, in memory, so this asks
   * every Tomcat for its ids (the index's list is not needed: the member's own list is read along). The
   * member's own list must be read (unless its Tomcat is down); another Tomcat that does not answer, or
   * that is out of rotation, keeps no copy that counts.
   */
  async verifyRoute(store, route, _sessions, cluster) {
    const o = options(store);
    const leaving = new Set(cluster?.leavingRoutes ?? []);
    const lists = await Promise.all(
      store.nodes.map(async (n): Promise<[string, string[]]> => {
        if (n.id === route) return [n.id, await listIdsUnlessDown(n, o)];
        if (leaving.has(n.id)) return [n.id, []];
        return [n.id, await listNodeSessionIds(n, o).catch(() => [])];
      }),
    );
    const r = replicaSafety(route, Object.fromEntries(lists));
    return { checked: r.total, safe: r.safe, gone: 0, unsafeCount: r.unsafe.length, unsafe: r.unsafe.slice(0, 50) };
  },

  /**
   * Every Tomcat holding the id (those that answer), and creation and last access asked of one that holds
   * it (the one its route names first). Timestamps where the Manager has them, else DeltaManager's Date strings. JMX gives
   * no attribute names and no per-session timeout, so those stay empty.
   */
  async locate(store, sessionId) {
    const o = options(store);
    const route = routeOfSessionId(sessionId);
    // A Tomcat that is down holds no copy any more (its memory went with it): locate with the others.
    const lists = await Promise.all(
      store.nodes.map(async (n): Promise<[string, string[]]> => [n.id, await listNodeSessionIds(n, o).catch(() => [])]),
    );
    const byNode = Object.fromEntries(lists);
    const copies = Object.entries(byNode)
      .filter(([, ids]) => ids.includes(sessionId))
      .map(([node]): TSessionCopy => ({
        store: store.name,
        node,
        key: sessionId,
        role: node === route ? "session" : "backup",
        ttlSeconds: null,
        size: 0,
      }));
    const holder = store.nodes
      .filter((n) => copies.some((c) => c.node === n.id))
      .sort((a, b) => Number(b.id === route) - Number(a.id === route))[0];
    if (!holder) return { copies, detail: null };
    const manager = parseMbeanAttributes(await jmx(holder, o, `qry=${encodeURIComponent(mbean(o))}`)).className ?? "";
    if (readingMovesSession(manager))
      return {
        copies,
        detail: {
          node: holder.id,
          key: sessionId,
          creationTime: null,
          lastAccessedTime: null,
          maxInactiveInterval: null,
          attributes: [],
          notSerializable: [],
          attributesNote:
            "BackupManager: asking a Tomcat for a session's times makes that Tomcat the session's primary (a read there is an access), so ClusterDeck does not ask.",
          decodeError: null,
        },
      };
    const ask = async (op: string) =>
      parseInvokeResult(
        await jmx(holder, o, `invoke=${encodeURIComponent(mbean(o))}&op=${op}&ps=${encodeURIComponent(sessionId)}`),
      );
    const time = async (timestampOp: string, dateOp: string) =>
      parseJavaTime(await ask(timestampOp).catch(() => ask(dateOp)));
    const [creationTime, lastAccessedTime] = await Promise.all([
      time("getCreationTimestamp", "getCreationTime"),
      time("getLastAccessedTimestamp", "getLastAccessedTime"),
    ]);
    return {
      copies,
      detail: {
        node: holder.id,
        key: sessionId,
        creationTime,
        lastAccessedTime,
        maxInactiveInterval: null,
        attributes: [],
        notSerializable: [],
        // JMX answers times only: names and values of attributes are not available this way.
        attributesNote: "Tomcat's Manager (JMX) shows no attributes of an in-memory session.",
        decodeError: null,
      },
    };
  },

  /**
   * The Manager MBean's expireSession (docs/reference/session-stores.md §5.9) on every Tomcat that holds the id; with
   * DeltaManager/BackupManager the expiry replicates, and asking each holder makes it certain either way.
   */
  async expireSession(store, sessionId, dryRun) {
    const o = options(store);
    if (sessionId.includes(",")) return { keys: [] }; // jmxproxy splits ps on commas: no Tomcat id has one
    const holders = Object.entries(await idsByNode(store)).filter(([, ids]) => ids.includes(sessionId));
    for (const [nodeId] of dryRun ? [] : holders) {
      const node = store.nodes.find((n) => n.id === nodeId)!;
      const answer = await jmx(
        node,
        o,
        `invoke=${encodeURIComponent(mbean(o))}&op=expireSession&ps=${encodeURIComponent(sessionId)}`,
      );
      if (!answer.startsWith("OK"))
        throw new UnexpectedResponseError(
          `Tomcat Manager jmxproxy on ${nodeId}`,
          `expireSession failed: ${answer.split("\n")[0]?.trim()}`,
        );
    }
    return { keys: holders.map(([node]) => ({ node, key: sessionId })) };
  },

  async readNodeStats(store, node, timeoutMs) {
    const o = options(store);
    return managerReading(parseMbeanAttributes(await jmx(node, o, `qry=${encodeURIComponent(mbean(o))}`, timeoutMs)));
  },
};
