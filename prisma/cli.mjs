#!/usr/bin/env node
// Runs the Prisma CLI offline (see ../shared/reference/toolchain.md): the JS schema engine is selected in
// prisma.config.ts, and these variables stop the CLI from trying to download native engines it never runs.
// It also picks the schema for the database in DATABASE_URL: SQLite (default) or PostgreSQL, the latter
// derived from schema.prisma so the two never diverge.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const databaseUrl = process.env.DATABASE_URL ?? "file:./data/clusterdeck.db";
const isPostgres = /^postgres(ql)?:\/\//.test(databaseUrl);

let schema = path.join(here, "schema.prisma");
if (isPostgres) {
  const pgDir = path.join(here, "postgres");
  fs.mkdirSync(pgDir, { recursive: true });
  const text = fs
    .readFileSync(schema, "utf8")
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output     = "../generated/prisma"', 'output     = "../../generated/prisma"');
  const target = path.join(pgDir, "schema.prisma");
  if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) fs.writeFileSync(target, text);
  schema = target;
} else {
  const file = databaseUrl.replace(/^file:/, "");
  fs.mkdirSync(path.dirname(path.resolve(root, file)), { recursive: true });
}

const dummy = path.join(root, "node_modules", ".prisma-no-engine");
if (!fs.existsSync(dummy)) fs.writeFileSync(dummy, "");
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  CLUSTERDECK_PRISMA_SCHEMA: schema,
  PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
  PRISMA_QUERY_ENGINE_LIBRARY: dummy,
  PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};
// The PostgreSQL schema has no migration history yet (writing one needs a running PostgreSQL for the
// JS schema engine); until the lab carries PostgreSQL, deploy on PostgreSQL is a schema push.
let args = process.argv.slice(2);
if (isPostgres && args[0] === "migrate" && args[1] === "deploy") args = ["db", "push", "--skip-generate"];
const bin = path.join(root, "node_modules", "prisma", "build", "index.js");
const result = spawnSync(process.execPath, [bin, ...args], { stdio: "inherit", env, cwd: root });
process.exit(result.status ?? 1);
