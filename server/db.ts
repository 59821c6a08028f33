import { PrismaClient } from "@/generated/prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { getEnv } from "@/server/env";

export type TDb = PrismaClient;

function createDb(url: string): PrismaClient {
  // Driver adapters, not Prisma's native engines: nothing is downloaded (../shared/reference/toolchain.md).
  const adapter = /^postgres(ql)?:\/\//.test(url) ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url });
  return new PrismaClient({ adapter });
}

// One client per process, kept on globalThis: Next.js may load this module in several bundles
// (instrumentation, route handlers) and each must share the same connection.
const g = globalThis as unknown as { __clusterdeckDb?: PrismaClient };

export function getDb(): PrismaClient {
  g.__clusterdeckDb ??= createDb(getEnv().DATABASE_URL);
  return g.__clusterdeckDb;
}
