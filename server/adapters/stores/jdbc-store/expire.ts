import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { withJdbc } from "@/server/adapters/stores/jdbc-store/connect";
import { quoteIdentifier as q, quoteTable, type TJdbcStoreOptions } from "@/server/adapters/stores/jdbc-store/options";
import { lookupQuery, type TSql } from "@/server/adapters/stores/jdbc-store/sql";
import type { TExpireOutcome } from "@/server/adapters/stores/store-operations";

const MEMORY_NOTE =
  "row deleted; a Tomcat holding the session in memory (PersistentManager) keeps serving it and saves it again, unless the context's Manager is also in the inventory as a tomcat-manager store (then this expire reaches it too)";

/** What DataSourceStore.remove runs (docs/reference/session-stores.md §5.3): the id's row in this context only. */
export function deleteQuery(o: TJdbcStoreOptions, sessionId: string): TSql {
  return {
    text: `DELETE FROM ${quoteTable(o.sessionTable)} WHERE ${q(o.sessionIdCol)} = $1 AND ${q(o.sessionAppCol)} = $2 RETURNING ${q(o.sessionIdCol)} AS id`,
    values: [sessionId, o.appName],
  };
}

/**
 * Deletes the session's row on every node. PersistentManager also keeps the session in the memory of the
 * Tomcat that served it (seen in the lab with Tomcat 10.1 and PersistentValve: deleting the row alone,
 * the next request is still served from memory, and the row comes back). So the result says so: the
 * context's Manager must be in the inventory too (a tomcat-manager store), whose expire reaches memory.
 */
export async function expireJdbcSession(
  store: TStoreConfig,
  o: TJdbcStoreOptions,
  sessionId: string,
  dryRun: boolean,
): Promise<TExpireOutcome> {
  const found = await Promise.all(
    store.nodes.map((node) =>
      withJdbc(node, o, async (c) =>
        (await c.query<{ id: string }>(dryRun ? lookupQuery(o, sessionId) : deleteQuery(o, sessionId))).map((r) => ({
          node: node.id,
          key: r.id,
        })),
      ),
    ),
  );
  const keys = found.flat();
  return keys.length === 0 ? { keys } : { keys, note: MEMORY_NOTE };
}
