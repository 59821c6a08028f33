import type { TRouteVerification, TSessionCopy, TStoreAdapter, TStoreConfig } from "@/server/adapters/stores/adapter";
import { decodeStandardSession } from "@/server/adapters/stores/java-serialization/decode";
import { standardSessionDetail } from "@/server/adapters/stores/java-serialization/session-detail";
import { withJdbc, connectJdbc } from "@/server/adapters/stores/jdbc-store/connect";
import { ZJdbcStoreOptions, type TJdbcStoreOptions } from "@/server/adapters/stores/jdbc-store/options";
import { interpretRow, isLiveRow, type TJdbcRawRow } from "@/server/adapters/stores/jdbc-store/rows";
import { dataQuery, liveIdsQuery, lookupQuery, pageQuery, statsQuery } from "@/server/adapters/stores/jdbc-store/sql";
import { parseStoreOptions } from "@/server/adapters/stores/options";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { ScanBatchWriter, type TScanBatch } from "@/server/adapters/stores/scan-batch";
import { expireJdbcSession } from "@/server/adapters/stores/jdbc-store/expire";
import { idAt } from "@/server/adapters/stores/scan-batch";

const options = (store: TStoreConfig): TJdbcStoreOptions => ZJdbcStoreOptions.parse(store.options);

/** Ids per query in a targeted check (one `= ANY($n)` array parameter). */
const VERIFY_CHUNK = 5_000;

/**
 * Every row of the context on one node, one keyset page per batch (never the whole table in memory). Only
 * rows marked valid and not past `last_access + max_inactive` are sessions; every row is a key.
 */
async function* scanJdbcNode(store: TStoreConfig, node: TStoreNode): AsyncGenerator<TScanBatch> {
  const o = options(store);
  const now = Date.now();
  const client = await connectJdbc(node, o);
  const writer = new ScanBatchWriter();
  try {
    let after: string | null = null;
    for (;;) {
      const page: TJdbcRawRow[] = await client.query<TJdbcRawRow>(pageQuery(o, after));
      if (page.length === 0) return;
      writer.countKeys(page.length);
      for (const raw of page) {
        const row = interpretRow(node.id, raw, now);
        if (isLiveRow(row)) writer.addSessionId(row.key, row.ttlSeconds, row.size, row.lastAccess);
      }
      yield writer.take();
      if (page.length < o.pageSize) return;
      after = page[page.length - 1]!.id;
    }
  } finally {
    await client.close();
  }
}

/**
 * Tomcat's DataSourceStore table (PersistentManager, usually with PersistentValve): one row per session
 * and context, see docs/reference/session-stores.md §5.3/§5.6. A store node is a database server. Expired
 * rows that no Tomcat has swept yet are keys (and a figure of the node's stats), not sessions.
 */
export const jdbcStoreAdapter: TStoreAdapter = {
  kind: "jdbc-store",
  label: "Database table (Tomcat PersistentManager + DataSourceStore, PostgreSQL)",
  capabilities: { enumerate: true, stats: true, lookup: true, evacuateNode: false, replaceNode: false, expire: true },
  verifyRouteFromIndex: true,
  keepsBackupCopies: false,
  parseOptions: (raw) => parseStoreOptions(ZJdbcStoreOptions, raw),

  scanNode: (store, node) => scanJdbcNode(store, node),

  /** The id's row on each node (an expired row not yet swept: 0 s left), and its bytes decoded from the first found. */
  async locate(store, sessionId) {
    const o = options(store);
    const now = Date.now();
    let detail: Awaited<ReturnType<TStoreAdapter["locate"]>>["detail"] = null;
    const found = await Promise.all(
      store.nodes.map((node) =>
        withJdbc(node, o, async (c) => {
          const rows = (await c.query<TJdbcRawRow>(lookupQuery(o, sessionId))).map((raw): TSessionCopy => {
            const row = interpretRow(node.id, raw, now);
            return {
              store: store.name,
              node: node.id,
              key: row.key,
              role: "session",
              ttlSeconds: row.ttlSeconds,
              size: row.size,
            };
          });
          if (rows.length > 0 && !detail) {
            const [data] = await c.query<{ data: Buffer | null }>(dataQuery(o, sessionId));
            if (data?.data) detail = standardSessionDetail(node.id, sessionId, () => decodeStandardSession(data.data!));
          }
          return rows;
        }),
      ),
    );
    return { copies: found.flat(), detail };
  },

  readNodeStats: (store, node) =>
    withJdbc(node, options(store), async (c) => {
      const [s] = await c.query<{
        items: string;
        expired: string;
        bytes: string;
        version: string;
        uptime: string;
        connections: string;
      }>(statsQuery(options(store)));
      return {
        version: `PostgreSQL ${s?.version ?? "?"}`,
        uptimeSeconds: s ? Number(s.uptime) : null,
        items: Number(s?.items ?? 0),
        memoryUsedBytes: Number(s?.bytes ?? 0),
        memoryLimitBytes: null,
        connections: s ? Number(s.connections) : null,
        counters: {},
        evictingPolicy: null,
        details: {
          rows: Number(s?.items ?? 0),
          expiredNotSwept: Number(s?.expired ?? 0),
          tableBytes: Number(s?.bytes ?? 0),
        },
      };
    }),

  /** The rows of the ids, live ones only, in one query per few thousand ids. A missing row is gone: the table is its home. */
  async verifyRoute(store, _route, sessions) {
    const o = options(store);
    const ids = Array.from({ length: sessions.ids.count }, (_, i) => idAt(sessions.ids, i));
    const result: TRouteVerification = { checked: ids.length, safe: 0, gone: 0, unsafeCount: 0, unsafe: [] };
    const live = new Set<string>();
    for (const node of store.nodes) {
      await withJdbc(node, o, async (c) => {
        for (let i = 0; i < ids.length; i += VERIFY_CHUNK)
          for (const r of await c.query<{ id: string }>(liveIdsQuery(o, ids.slice(i, i + VERIFY_CHUNK))))
            live.add(r.id);
      });
    }
    for (const id of ids) {
      if (live.has(id)) result.safe++;
      else result.gone++;
    }
    return result;
  },

  expireSession: (store, sessionId, dryRun) => expireJdbcSession(store, options(store), sessionId, dryRun),
};
