import { PrismaClient } from "@/generated/prisma/client";
import { PrismaClient as PrismaPgClient } from "@/generated/prisma-pg/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { getEnv } from "@/server/env";
import { processSingleton } from "@/server/process-singleton";

export type TDb = PrismaClient;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Driver adapters, not Prisma's native engines: nothing is downloaded (docs/reference/toolchain.md).
 * Both clients are generated from one schema (prisma/cli.mjs), so the database is chosen here, at run
 * time, by DATABASE_URL. Their query APIs are the same models; the PostgreSQL one is typed as the SQLite one.
 */
export function createDb(url: string): TDb {
  if (isPostgresUrl(url))
    return new PrismaPgClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as TDb;
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
}

/** One client per process, whichever bundle asks (instrumentation, route handlers share one connection). */
export function getDb(): TDb {
  return processSingleton("db", () => createDb(getEnv().DATABASE_URL));
}
