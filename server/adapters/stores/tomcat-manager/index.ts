import { z } from "zod";
import type { TSessionCopy, TSessionCounts, TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import type { TStoreNode, TStoreNodeStats } from "@/server/adapters/stores/types";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import {
  parseInvokeResult,
  parseJavaTime,
  parseListSessionIds,
  parseMbeanAttributes,
  replicaSafety,
} from "@/server/adapters/stores/tomcat-manager/jmxproxy";
import { routeOfSessionId } from "@/server/domain/session-id";
import { UnexpectedResponseError } from "@/server/errors";

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

function jmx(node: TStoreNode, o: TOptions, query: string): Promise<string> {
  return fetchText(`http://${node.host}:${node.port}/manager/jmxproxy?${query}`, {
    timeoutMs: 5_000,
    username: o.username,
    password: o.password,
  });
}

/** Ids held by one node: its own sessions and, with DeltaManager/BackupManager, the replicas it keeps. */
export function listNodeSessionIds(node: TStoreNode, o: TOptions): Promise<string[]> {
  return jmx(node, o, `invoke=${encodeURIComponent(mbean(o))}&op=listSessionIds`).then(parseListSessionIds);
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
  parseOptions: (raw) => parseStoreOptions(ZOptions, raw),

  async countSessions(store) {
    const started = Date.now();
    const byNode = await idsByNode(store);
    const unique = new Set(Object.values(byNode).flat());
    const counts: TSessionCounts = {
      store: store.name,
      kind: this.kind,
      total: unique.size,
      perNode: {},
      perRoute: {},
      keysPerNode: {},
      scannedAt: new Date(),
      durationMs: 0,
    };
    for (const [node, ids] of Object.entries(byNode)) {
      counts.perNode[node] = ids.length;
      counts.keysPerNode[node] = ids.length;
    }
    for (const id of unique) {
      const route = routeOfSessionId(id) ?? "(none)";
      counts.perRoute[route] = (counts.perRoute[route] ?? 0) + 1;
    }
    counts.durationMs = Date.now() - started;
    return counts;
  },

  /** One row per node holding a copy (primary or replica); the session index merges them by id. */
  async *enumerateSessions(store) {
    const o = options(store);
    for (const node of store.nodes) {
      const ids = await listNodeSessionIds(node, o);
      for (let i = 0; i < ids.length; i += 1000) {
        yield ids.slice(i, i + 1000).map((id) => ({
          sessionId: id,
          node: node.id,
          route: routeOfSessionId(id),
          ttlSeconds: null,
          size: 0,
          lastAccess: null,
        }));
      }
    }
  },

  /** A session is safe when another Tomcat holds a replica of it (DeltaManager: all; BackupManager: one). */
  async routeSafety(store, route) {
    return replicaSafety(route, await idsByNode(store));
  },

  /**
   * Creation and last access, asked of a Tomcat that holds the session (the one its route names first).
   * Timestamps where the Manager has them, else DeltaManager's Date strings. JMX gives no attribute
   * names and no per-session timeout, so those stay empty.
   */
  async readSession(store, sessionId) {
    const o = options(store);
    const route = routeOfSessionId(sessionId);
    const byNode = await idsByNode(store);
    const holders = store.nodes
      .filter((n) => byNode[n.id]?.includes(sessionId))
      .sort((a, b) => Number(b.id === route) - Number(a.id === route));
    const node = holders[0];
    if (!node) return null;
    const ask = async (op: string) =>
      parseInvokeResult(
        await jmx(node, o, `invoke=${encodeURIComponent(mbean(o))}&op=${op}&ps=${encodeURIComponent(sessionId)}`),
      );
    const time = async (timestampOp: string, dateOp: string) =>
      parseJavaTime(await ask(timestampOp).catch(() => ask(dateOp)));
    const [creationTime, lastAccessedTime] = await Promise.all([
      time("getCreationTimestamp", "getCreationTime"),
      time("getLastAccessedTimestamp", "getLastAccessedTime"),
    ]);
    return {
      node: node.id,
      key: sessionId,
      creationTime,
      lastAccessedTime,
      maxInactiveInterval: null,
      attributes: [],
      notSerializable: [],
      decodeError: null,
    };
  },

  async lookup(store, sessionId) {
    const byNode = await idsByNode(store);
    const route = routeOfSessionId(sessionId);
    return Object.entries(byNode)
      .filter(([, ids]) => ids.includes(sessionId))
      .map(([node]): TSessionCopy => ({
        store: store.name,
        node,
        key: sessionId,
        role: node === route ? "session" : "backup",
        ttlSeconds: null,
        size: 0,
      }));
  },

  /**
   * The Manager MBean's expireSession (session-stores.md §5.9) on every Tomcat that holds the id; with
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

  async nodeStats(store) {
    const o = options(store);
    return Promise.all(
      store.nodes.map(async (n): Promise<TStoreNodeStats> => {
        const a = parseMbeanAttributes(await jmx(n, o, `qry=${encodeURIComponent(mbean(o))}`));
        return {
          node: n.id,
          items: Number(a.activeSessions ?? 0),
          bytes: 0,
          evictions: Number(a.rejectedSessions ?? 0),
          limitBytes: null,
          version: a.modelerType ?? "",
          serverTime: Math.floor(Date.now() / 1000),
        };
      }),
    );
  },
};
