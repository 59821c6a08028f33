import pg from "pg";
import type { TJdbcStoreOptions } from "@/server/adapters/stores/jdbc-store/options";
import type { TSql } from "@/server/adapters/stores/jdbc-store/sql";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { AppError, TargetTimeoutError, TargetUnreachableError, UnexpectedResponseError } from "@/server/errors";

/** The slice of a `pg` client the adapter uses (docs/conventions.md §10). */
export interface TJdbcClient {
  query<R extends object>(sql: TSql): Promise<R[]>;
  close(): Promise<void>;
}

const nodeUrl = (node: TStoreNode, o: TJdbcStoreOptions) => `postgresql://${node.host}:${node.port}/${o.database}`;

/** PostgreSQL's SQLSTATEs that mean the options do not match the table (reference: errcodes appendix). */
const SCHEMA_ERRORS: Record<string, string> = {
  "42P01": "the table does not exist (options.sessionTable)",
  "42703": "a column does not exist (options.session*Col)",
  "42501": "the user may not read the table",
  "3D000": "the database does not exist (options.database)",
  "28P01": "the password was refused (options.user / options.password)",
  "28000": "the user was refused (options.user)",
};

function translate(err: unknown, url: string, timeoutMs: number): AppError {
  if (err instanceof AppError) return err;
  const e = err as Error & { code?: string };
  if (e.code && SCHEMA_ERRORS[e.code])
    return new UnexpectedResponseError(`Session table at ${url}`, `${SCHEMA_ERRORS[e.code]}: ${e.message}`, {
      url,
      sqlState: e.code,
    });
  if (/timeout/i.test(e.message)) return new TargetTimeoutError(url, timeoutMs);
  if (e.code && /^E[A-Z]+$/.test(e.code)) return new TargetUnreachableError(url, e.message);
  return new UnexpectedResponseError(`PostgreSQL at ${url}`, e.message, { url, sqlState: e.code ?? null });
}

/** One connection to the store's database on one node; errors become AppErrors naming the node. */
export async function connectJdbc(node: TStoreNode, o: TJdbcStoreOptions): Promise<TJdbcClient> {
  const url = nodeUrl(node, o);
  const client = new pg.Client({
    host: node.host,
    port: node.port,
    database: o.database,
    user: o.user,
    password: o.password,
    connectionTimeoutMillis: o.timeoutMs,
    query_timeout: o.timeoutMs,
    statement_timeout: o.timeoutMs,
    application_name: "clusterdeck",
  });
  // An error after connect (server gone) is emitted on the client; the pending query rejects with it.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw translate(err, url, o.timeoutMs);
  }
  return {
    async query<R extends object>(sql: TSql): Promise<R[]> {
      try {
        return (await client.query(sql.text, sql.values)).rows as R[];
      } catch (err) {
        throw translate(err, url, o.timeoutMs);
      }
    },
    close: () => client.end().catch(() => undefined),
  };
}

/** Runs `fn` with a connection to `node`, closed afterwards whatever happens. */
export async function withJdbc<T>(
  node: TStoreNode,
  o: TJdbcStoreOptions,
  fn: (c: TJdbcClient) => Promise<T>,
): Promise<T> {
  const client = await connectJdbc(node, o);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
