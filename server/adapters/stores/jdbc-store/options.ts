import { z } from "zod";

/**
 * Options of a `jdbc-store` store: Tomcat's DataSourceStore table (docs/reference/session-stores.md §5.3) on
 * PostgreSQL. Table and column options carry DataSourceStore's own attribute names, so they can be
 * copied from the context's <Store> element. Defaults are the names of the example DDL in Tomcat's docs
 * (config/manager.html), which most installations copy; DataSourceStore's own defaults
 * (tomcat$sessions: id, app, data, valid, maxinactive, lastaccess) must then be given explicitly.
 */

/**
 * One SQL identifier as Tomcat sends it: unquoted, so PostgreSQL folds it to lower case. Letters,
 * digits, `_` and `$` (as in `tomcat$sessions`), not starting with a digit or `$`, at most 63 bytes.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const ZIdentifier = z
  .string()
  .regex(IDENTIFIER, "a plain SQL identifier: letters, digits, _ or $, not starting with a digit (at most 63)");
/** A table, optionally schema-qualified (`sessions.tomcat_sessions`). */
const ZTable = z
  .string()
  .refine(
    (t) => t.split(".").length <= 2 && t.split(".").every((part) => IDENTIFIER.test(part)),
    "a table name, optionally schema.table, of plain SQL identifiers",
  );

export const ZJdbcStoreOptions = z.object({
  database: z.string().min(1).max(63),
  user: z.string().min(1).max(63),
  password: z.string().max(1024).default(""),
  sessionTable: ZTable.default("tomcat_sessions"),
  sessionIdCol: ZIdentifier.default("session_id"),
  sessionAppCol: ZIdentifier.default("app_name"),
  sessionDataCol: ZIdentifier.default("session_data"),
  sessionValidCol: ZIdentifier.default("valid_session"),
  sessionMaxInactiveCol: ZIdentifier.default("max_inactive"),
  sessionLastAccessedCol: ZIdentifier.default("last_access"),
  /**
   * The app column's value for the context: DataSourceStore writes `/<engine>/<host><context path>`,
   * e.g. `/Catalina/localhost/app`, and `/Catalina/localhost/` for ROOT.
   */
  appName: z
    .string()
    .regex(/^\/[^/\s]+\/[^/\s]+\/\S*$/, "/<engine>/<host><context path>, e.g. /Catalina/localhost/app"),
  /** Rows per keyset page while counting (one page in memory at a time). */
  pageSize: z.number().int().min(10).max(10_000).default(1000),
  timeoutMs: z.number().int().min(100).max(120_000).default(5000),
});
export type TJdbcStoreOptions = z.infer<typeof ZJdbcStoreOptions>;

/** Quotes a validated identifier as PostgreSQL resolves Tomcat's unquoted one: folded to lower case. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name.toLowerCase()}"`;
}

export function quoteTable(table: string): string {
  return table.split(".").map(quoteIdentifier).join(".");
}
