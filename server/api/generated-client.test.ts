/**
 * A generated client works: openapi-typescript makes TypeScript types from the OpenAPI document, tsc
 * compiles a small script against them (and refuses one that misuses them), and the compiled script
 * runs against a console this test serves: it creates a cluster, adds a member, drains it and reads its
 * history; the database shows the result.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";
import { buildOpenApiDocument } from "@/server/api/openapi";
import { DEMO_SCRIPT } from "@/test-support/generated-client/demo-script";
import type { PrismaClient } from "@/generated/prisma/client";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "node_modules/.bin");

let db: PrismaClient;
let cleanup: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
let token = "";
// Inside the checkout (test-results/ is ignored), so tsc finds @types/node in node_modules.
let dir = "";

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  token = (await createCliTokens(db)).operator;
  api = await serveRestApi(db);
  await fs.mkdir(path.join(ROOT, "test-results"), { recursive: true });
  dir = await fs.mkdtemp(path.join(ROOT, "test-results", "generated-client-"));
  await fs.writeFile(path.join(dir, "openapi.json"), JSON.stringify(buildOpenApiDocument(`${api.url}/api/v1`)));
  await fs.writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  await run(path.join(BIN, "openapi-typescript"), [path.join(dir, "openapi.json"), "-o", path.join(dir, "api.ts")]);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await api.close();
  await cleanup();
});

const TSC_OPTIONS = ["--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"];
const TSC_OPTIONS_WITH_TYPES = [...TSC_OPTIONS, "--types", "node", "--skipLibCheck"];

async function compile(script: string, name: string) {
  await fs.writeFile(path.join(dir, name), script);
  return run(
    path.join(BIN, "tsc"),
    [...TSC_OPTIONS_WITH_TYPES, "--outDir", path.join(dir, "out"), path.join(dir, name)],
    {
      cwd: dir,
    },
  ).then(
    () => ({ ok: true, output: "" }),
    (err: { stdout?: string }) => ({ ok: false, output: err.stdout ?? String(err) }),
  );
}

describe("a client generated from the OpenAPI document", { timeout: 120_000 }, () => {
  it("compiles with tsc and runs: create a cluster, add a member, drain it, read its history", async () => {
    const compiled = await compile(DEMO_SCRIPT, "demo.ts");
    expect(compiled.output).toBe("");
    expect(compiled.ok).toBe(true);

    const { stdout } = await run(process.execPath, [path.join(dir, "out", "demo.js")], {
      env: { ...process.env, CLUSTERDECK_URL: api.url, CLUSTERDECK_TOKEN: token },
    });
    expect(JSON.parse(stdout)).toEqual({
      cluster: "generated",
      member: "tomcat1",
      action: "member.drain",
      intended: "draining",
      historyRange: "15m",
      historyRoutes: ["tomcat1"],
      historyPoints: 0,
    });
    const member = await db.member.findFirstOrThrow({ where: { name: "tomcat1", cluster: { name: "generated" } } });
    expect(member.intendedState).toBe("draining");
  });

  it("the types are real: a script that misreads an answer does not compile", async () => {
    const wrong = DEMO_SCRIPT.replace("action: drained.action", "action: drained.actoin");
    expect(wrong).not.toBe(DEMO_SCRIPT);
    const compiled = await compile(wrong, "wrong.ts");
    expect(compiled.ok).toBe(false);
    expect(compiled.output).toContain("actoin");
  });
});
