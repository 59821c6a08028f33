import { quoteIdentifier as q, quoteTable, type TJdbcStoreOptions } from "@/server/adapters/stores/jdbc-store/options";

/**
 * SQL for Tomcat's DataSourceStore table (10.1 `DataSourceStore`, docs/reference/session-stores.md §5.3). Identifiers
 * come from options (user input): validated by the options schema, quoted here; every value is a parameter. Pure: the
 * adapter runs them with `pg`.
 */

export interface TSql {
  text: string;
  values: unknown[];
}

/** Columns every row query reads; the data column only as its length (no session bytes while counting). */
function rowColumns(o: TJdbcStoreOptions): string {
  return [
    `${q(o.sessionIdCol)} AS id`,
    `${q(o.sessionValidCol)} AS valid`,
    `${q(o.sessionMaxInactiveCol)} AS max_inactive`,
    `${q(o.sessionLastAccessedCol)} AS last_access`,
    `octet_length(${q(o.sessionDataCol)}) AS size`,
  ].join(", ");
}

/**
 * One keyset page of the context's rows, in id order after `afterId` (null = from the start). Keyset, not
 * OFFSET: each page is an index range scan however deep, and rows written meanwhile never shift pages.
 */
export function pageQuery(o: TJdbcStoreOptions, afterId: string | null): TSql {
  const table = quoteTable(o.sessionTable);
  const id = q(o.sessionIdCol);
  const after = afterId === null ? "" : ` AND ${id} > $3`;
  return {
    text: `SELECT ${rowColumns(o)} FROM ${table} WHERE ${q(o.sessionAppCol)} = $1${after} ORDER BY ${id} LIMIT $2`,
    values: afterId === null ? [o.appName, o.pageSize] : [o.appName, o.pageSize, afterId],
  };
}

/** The row of one id in the context (what DataSourceStore.load reads, without the bytes). */
export function lookupQuery(o: TJdbcStoreOptions, sessionId: string): TSql {
  return {
    text: `SELECT ${rowColumns(o)} FROM ${quoteTable(o.sessionTable)} WHERE ${q(o.sessionIdCol)} = $1 AND ${q(o.sessionAppCol)} = $2`,
    values: [sessionId, o.appName],
  };
}

/** The serialized session (`StandardSession.writeObjectData`) of one id in the context. */
export function dataQuery(o: TJdbcStoreOptions, sessionId: string): TSql {
  return {
    text: `SELECT ${q(o.sessionDataCol)} AS data FROM ${quoteTable(o.sessionTable)} WHERE ${q(o.sessionIdCol)} = $1 AND ${q(o.sessionAppCol)} = $2`,
    values: [sessionId, o.appName],
  };
}

/** Rows of the context, the table's size on disk, the server's version and clock. */
export function statsQuery(o: TJdbcStoreOptions): TSql {
  const table = quoteTable(o.sessionTable);
  return {
    text:
      `SELECT (SELECT count(*) FROM ${table} WHERE ${q(o.sessionAppCol)} = $1) AS items, ` +
      `pg_total_relation_size($2::regclass) AS bytes, current_setting('server_version') AS version, ` +
      `floor(extract(epoch FROM now()))::bigint AS server_time`,
    values: [o.appName, table],
  };
}
