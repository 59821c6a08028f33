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

/**
 * Rows of the context, rows past their expiry that no Tomcat has swept yet (DataSourceStore's own
 * `expiredKeys` rule: `maxinactive > 0 AND lastaccess + maxinactive * 1000 < now`), the table's size on
 * disk, the server's version and clock.
 */
export function statsQuery(o: TJdbcStoreOptions): TSql {
  const table = quoteTable(o.sessionTable);
  const app = q(o.sessionAppCol);
  const maxInactive = q(o.sessionMaxInactiveCol);
  const lastAccess = q(o.sessionLastAccessedCol);
  return {
    text:
      `SELECT (SELECT count(*) FROM ${table} WHERE ${app} = $1) AS items, ` +
      `(SELECT count(*) FROM ${table} WHERE ${app} = $1 AND ${maxInactive} > 0 AND ` +
      `${lastAccess} + ${maxInactive} * 1000 < floor(extract(epoch FROM now()) * 1000)) AS expired, ` +
      `pg_total_relation_size($2::regclass) AS bytes, current_setting('server_version') AS version, ` +
      `floor(extract(epoch FROM now()))::bigint AS server_time, ` +
      `floor(extract(epoch FROM now() - pg_postmaster_start_time()))::bigint AS uptime, ` +
      `(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections`,
    values: [o.appName, table],
  };
}

/** Which of the ids have a live row in the context (valid, not past its inactivity limit). */
export function liveIdsQuery(o: TJdbcStoreOptions, ids: string[]): TSql {
  const maxInactive = q(o.sessionMaxInactiveCol);
  const lastAccess = q(o.sessionLastAccessedCol);
  return {
    text:
      `SELECT ${q(o.sessionIdCol)} AS id FROM ${quoteTable(o.sessionTable)} WHERE ${q(o.sessionAppCol)} = $1 ` +
      `AND ${q(o.sessionIdCol)} = ANY($2) AND ${q(o.sessionValidCol)}::text IN ('1', 'true') AND ` +
      `(${maxInactive} <= 0 OR ${lastAccess} + ${maxInactive} * 1000 >= floor(extract(epoch FROM now()) * 1000))`,
    values: [o.appName, ids],
  };
}
