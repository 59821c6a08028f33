import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPostgresSchema, SCHEMA_VERSION } from "@/server/multi-instance/schema-check";

const root = path.resolve(import.meta.dirname, "../..");

function newestMigration(dir: string): string | undefined {
  return fs
    .readdirSync(path.join(root, dir))
    .filter((d) => fs.statSync(path.join(root, dir, d)).isDirectory())
    .sort()
    .at(-1);
}

function clientWith(names: string[]) {
  return { query: async () => ({ rows: names.map((name) => ({ name })) }) } as never;
}

describe("schema check", () => {
  it("names the newest migration of both databases", () => {
    expect(newestMigration("prisma/postgres/migrations")).toBe(SCHEMA_VERSION);
    expect(newestMigration("prisma/migrations")).toBe(SCHEMA_VERSION);
  });

  it("accepts the database this build migrated", async () => {
    await expect(checkPostgresSchema(clientWith(["0011_alerts", SCHEMA_VERSION]))).resolves.toBeUndefined();
  });

  it("refuses a database a newer build migrated, naming both versions", async () => {
    await expect(checkPostgresSchema(clientWith([SCHEMA_VERSION, "9000_later"]))).rejects.toThrow(
      /database has migration 9000_later, this build knows up to 0012/,
    );
  });

  it("refuses a database not migrated yet and says how to migrate it", async () => {
    await expect(checkPostgresSchema(clientWith(["0011_alerts"]))).rejects.toThrow(/migrate deploy/);
  });
});
