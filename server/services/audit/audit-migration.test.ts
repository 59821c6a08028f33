/** Migration 0008 on SQLite: passwords out of audit rows written before the log redacted them. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { OLD_PASSWORD, readable, ROWS_AFTER, ROWS_BEFORE } from "@/test-support/audit-rows-before-0008";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../../prisma/migrations");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-audit-migration-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("migration 0008 (SQLite)", () => {
  it("replaces stored frontend passwords in old audit rows and leaves everything else as it was", () => {
    const db = new Database(path.join(dir, "t.db"));
    const names = fs
      .readdirSync(MIGRATIONS)
      .filter((d) => fs.statSync(path.join(MIGRATIONS, d)).isDirectory())
      .sort();
    const at = names.indexOf("0008_audit_without_secrets");
    expect(at).toBeGreaterThan(0);
    for (const m of names.slice(0, at)) db.exec(fs.readFileSync(path.join(MIGRATIONS, m, "migration.sql"), "utf8"));
    const insert = db.prepare(
      'INSERT INTO "AuditEntry" (actor, action, result, after, before, details) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of ROWS_BEFORE) insert.run("old-admin", r.action, "ok", r.after, r.before, r.details);
    for (const m of names.slice(at)) db.exec(fs.readFileSync(path.join(MIGRATIONS, m, "migration.sql"), "utf8"));
    const rows = db.prepare('SELECT action, after, before, details FROM "AuditEntry" ORDER BY id').all() as Array<{
      action: string;
      after: string | null;
      before: string | null;
      details: string | null;
    }>;
    db.close();
    expect(readable(rows)).toEqual(ROWS_AFTER);
    expect(JSON.stringify(rows)).not.toContain(OLD_PASSWORD);
  });
});
