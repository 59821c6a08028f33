// Applies prisma/postgres/migrations/*/migration.sql to PostgreSQL, in order, each in its own transaction,
// recording what was applied in "_clusterdeck_migrations". Why not `prisma migrate deploy`: with the JS
// schema engine and @prisma/adapter-pg it fails on PostgreSQL's `name` column type (prisma/orm#27403,
// open), and the native engine cannot be downloaded here. The migration files are still Prisma's own
// (written by `prisma migrate diff`), so switching back later is a matter of deleting this file.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

export async function deployPostgresMigrations(connectionString, migrationsDir) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // One deployer at a time when several console instances start together.
    await client.query("SELECT pg_advisory_lock(2718281828)");
    await client.query(
      'CREATE TABLE IF NOT EXISTS "_clusterdeck_migrations" (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT name FROM "_clusterdeck_migrations"')).rows.map((r) => r.name));
    const names = fs
      .readdirSync(migrationsDir)
      .filter((d) => fs.statSync(path.join(migrationsDir, d)).isDirectory())
      .sort();
    let applied = 0;
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8");
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query('INSERT INTO "_clusterdeck_migrations" (name) VALUES ($1)', [name]);
        await client.query("COMMIT");
        applied++;
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed and was rolled back: ${err.message}`, { cause: err });
      }
    }
    console.log(`PostgreSQL: ${applied} migration(s) applied, ${names.length - applied} already present`);
  } finally {
    await client.end();
  }
}
