/** Migration 0008 on the lab's PostgreSQL: passwords out of audit rows written before the log redacted them. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { deployPostgresMigrations } from "@/prisma/pg-migrate.mjs";
import { OLD_PASSWORD, readable, ROWS_AFTER, ROWS_BEFORE } from "@/test-support/audit-rows-before-0008";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../../prisma/postgres/migrations");
const server = labValue(loadLabEnv(), "LAB_POSTGRES_URL");
const name = `clusterdeck_migration_${process.pid}_${Date.now()}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-pg-migrations-"));

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

describe("migration 0008 (PostgreSQL)", () => {
  it("replaces stored frontend passwords in old audit rows and leaves everything else as it was", async () => {
    await admin(`CREATE DATABASE "${name}"`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    // The migrations before 0008 first (a copy of the folder without it), rows as old consoles wrote them…
    const names = fs
      .readdirSync(MIGRATIONS)
      .filter((d) => fs.statSync(path.join(MIGRATIONS, d)).isDirectory())
      .sort();
    const at = names.indexOf("0008_audit_without_secrets");
    expect(at).toBeGreaterThan(0);
    for (const m of names.slice(0, at)) fs.cpSync(path.join(MIGRATIONS, m), path.join(dir, m), { recursive: true });
    await deployPostgresMigrations(url.toString(), dir);
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      for (const r of ROWS_BEFORE)
        await c.query(
          'INSERT INTO "AuditEntry" (actor, action, result, after, before, details) VALUES ($1, $2, $3, $4, $5, $6)',
          ["old-admin", r.action, "ok", r.after, r.before, r.details],
        );
      // …then the real folder: only 0008 and later are new.
      await deployPostgresMigrations(url.toString(), MIGRATIONS);
      const { rows } = await c.query<{
        action: string;
        after: string | null;
        before: string | null;
        details: string | null;
      }>('SELECT action, after, before, details FROM "AuditEntry" ORDER BY id');
      expect(readable(rows)).toEqual(ROWS_AFTER);
      expect(JSON.stringify(rows)).not.toContain(OLD_PASSWORD);
    } finally {
      await c.end();
    }
  });
});
