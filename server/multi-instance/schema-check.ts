import type pg from "pg";
import { AppError } from "@/server/errors";

/**
 * The last PostgreSQL migration this build knows (schema-check.test.ts keeps it equal to the newest
 * folder in prisma/postgres/migrations). An instance of an older build must not run on a newer schema:
 * it would write rows without the columns the newer code relies on, and read what it does not understand.
 */
export const SCHEMA_VERSION = "0012_instance_leases";

/** Refuses to start on a database migrated by a newer build, or on one not migrated up to this build. */
export async function checkPostgresSchema(client: Pick<pg.Client, "query">): Promise<void> {
  const applied = await client
    .query<{ name: string }>(`SELECT name FROM "_clusterdeck_migrations" ORDER BY name`)
    .then((r) => r.rows.map((row) => row.name))
    .catch(() => [] as string[]);
  const newer = applied.filter((name) => name > SCHEMA_VERSION);
  if (newer.length > 0)
    throw new AppError(
      "CONFLICT",
      `This console is older than its database: the database has migration ${newer.join(", ")}, this build knows up to ${SCHEMA_VERSION}. ` +
        "Start this instance from the same (newer) release as the others; it refuses to run so it cannot write rows the newer schema does not expect.",
    );
  if (!applied.includes(SCHEMA_VERSION))
    throw new AppError(
      "CONFLICT",
      `The database is not migrated up to ${SCHEMA_VERSION} (it has ${applied.at(-1) ?? "no migration"}): ` +
        "run `node prisma/cli.mjs migrate deploy` with the same DATABASE_URL (`npm start` runs it) and start again.",
    );
}
