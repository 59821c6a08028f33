import type { TSessionCopy, TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { countFromBatches, rowsFromBatches } from "@/server/adapters/stores/count";
import { decodeStandardSession } from "@/server/adapters/stores/java-serialization/decode";
import { standardSessionDetail } from "@/server/adapters/stores/java-serialization/session-detail";
import { withJdbc, connectJdbc } from "@/server/adapters/stores/jdbc-store/connect";
import { ZJdbcStoreOptions, type TJdbcStoreOptions } from "@/server/adapters/stores/jdbc-store/options";
import { interpretRow, isLiveRow, type TJdbcRawRow, type TJdbcRow } from "@/server/adapters/stores/jdbc-store/rows";
import { dataQuery, lookupQuery, pageQuery, statsQuery } from "@/server/adapters/stores/jdbc-store/sql";
import { routeOfSessionId } from "@/server/domain/session-id";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import type { TStoreNode, TStoreNodeStats } from "@/server/adapters/stores/types";
import { expireJdbcSession } from "@/server/adapters/stores/jdbc-store/expire";

const options = (store: TStoreConfig): TJdbcStoreOptions => ZJdbcStoreOptions.parse(store.options);

/** Every row of the context on one node, one keyset page per batch (never the whole table in memory). */
async function* scanNode(node: TStoreNode, o: TJdbcStoreOptions, nowMs: number): AsyncGenerator<TJdbcRow[]> {
  const client = await connectJdbc(node, o);
  try {
    let after: string | null = null;
    for (;;) {
      const page: TJdbcRawRow[] = await client.query<TJdbcRawRow>(pageQuery(o, after));
      if (page.length === 0) return;
      yield page.map((r) => interpretRow(node.id, r, nowMs));
      if (page.length < o.pageSize) return;
      after = page[page.length - 1]!.id;
    }
  } finally {
    await client.close();
  }
}

async function* scanAll(store: TStoreConfig): AsyncGenerator<TJdbcRow[]> {
  const o = options(store);
  const now = Date.now();
  for (const node of store.nodes) yield* scanNode(node, o, now);
}

/**
 * Tomcat's DataSourceStore table (PersistentManager, usually with PersistentValve): one row per session
 * and context, see reference/session-stores.md §5.3/§5.6. A store node is a database server.
 * Counting: every row of the context is a key (keysPerNode); only rows marked valid and not past
 * `last_access + max_inactive` are sessions (total, perNode, perRoute). Expired rows that no Tomcat
 * has swept yet are therefore in keysPerNode but not in the session counts.
 */
export const jdbcStoreAdapter: TStoreAdapter = {
  kind: "jdbc-store",
  label: "Database table (Tomcat PersistentManager + DataSourceStore, PostgreSQL)",
  parseOptions: (raw) => parseStoreOptions(ZJdbcStoreOptions, raw),

  countSessions(store) {
    // The rows come from scanAll, so every key is a TJdbcRow (countFromBatches is typed for plain keys).
    return countFromBatches(store.name, this.kind, scanAll(store), (k) =>
      isLiveRow(k as TJdbcRow) ? { route: routeOfSessionId(k.key) } : null,
    );
  },

  enumerateSessions(store) {
    return rowsFromBatches(scanAll(store), (k) =>
      isLiveRow(k as TJdbcRow) ? { sessionId: k.key, route: routeOfSessionId(k.key) } : null,
    );
  },

  /** The id's row on each node; an expired row not yet swept is reported with 0 s left. */
  async lookup(store, sessionId) {
    const o = options(store);
    const now = Date.now();
    const found = await Promise.all(
      store.nodes.map((node) =>
        withJdbc(node, o, async (c) =>
          (await c.query<TJdbcRawRow>(lookupQuery(o, sessionId))).map((raw): TSessionCopy => {
            const row = interpretRow(node.id, raw, now);
            return {
              store: store.name,
              node: node.id,
              key: row.key,
              role: "session",
              ttlSeconds: row.ttlSeconds,
              size: row.size,
            };
          }),
        ),
      ),
    );
    return found.flat();
  },

  async nodeStats(store) {
    const o = options(store);
    return Promise.all(
      store.nodes.map((node) =>
        withJdbc(node, o, async (c): Promise<TStoreNodeStats> => {
          const [s] = await c.query<{ items: string; bytes: string; version: string; server_time: string }>(
            statsQuery(o),
          );
          return {
            node: node.id,
            items: Number(s?.items ?? 0),
            bytes: Number(s?.bytes ?? 0),
            evictions: 0,
            limitBytes: null,
            version: `PostgreSQL ${s?.version ?? "?"}`,
            serverTime: Number(s?.server_time ?? 0),
          };
        }),
      ),
    );
  },

  expireSession: (store, sessionId, dryRun) => expireJdbcSession(store, options(store), sessionId, dryRun),

  /** The session_data bytes: `StandardSession.writeObjectData` into one ObjectOutputStream (DataSourceStore.save). */
  async readSession(store, sessionId) {
    const o = options(store);
    for (const node of store.nodes) {
      const [row] = await withJdbc(node, o, (c) => c.query<{ data: Buffer | null }>(dataQuery(o, sessionId)));
      if (row?.data) return standardSessionDetail(node.id, sessionId, () => decodeStandardSession(row.data!));
    }
    return null;
  },
};
