import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

/**
 * A throw-away SQLite database with the real migrations applied, for tests that need the DB.
 * Each call gets its own file, so tests never share state.
 */
export async function createTestDb(): Promise<{ db: PrismaClient; url: string; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterdeck-test-"));
  const file = path.join(dir, "test.db");
  const sqlite = new Database(file);
  const migrations = path.resolve(import.meta.dirname, "../prisma/migrations");
  for (const m of fs
    .readdirSync(migrations)
    .filter((d) => fs.statSync(path.join(migrations, d)).isDirectory())
    .sort()) {
    sqlite.exec(fs.readFileSync(path.join(migrations, m, "migration.sql"), "utf8"));
  }
  sqlite.close();
  const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
  return {
    db,
    /** DATABASE_URL for another process (a console started by a test) to share this database. */
    url: `file:${file}`,
    cleanup: async () => {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A throw-away database in a real PostgreSQL (the lab's), with the PostgreSQL migrations applied the
 * way `npm start` applies them, and the client server/db.ts picks for a postgresql:// URL.
 */
export async function createPostgresTestDb(
  serverUrl: string,
): Promise<{ db: PrismaClient; url: string; cleanup: () => Promise<void> }> {
  const { default: pg } = await import("pg");
  const { deployPostgresMigrations } = await import("../prisma/pg-migrate.mjs");
  const { createDb } = await import("@/server/db");
  const name = `clusterdeck_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await deployPostgresMigrations(url.toString(), path.resolve(import.meta.dirname, "../prisma/postgres/migrations"));
  const db = createDb(url.toString());
  return {
    db,
    url: url.toString(),
    cleanup: async () => {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
