/**
 * `clusterdeck inventory export|plan|apply`, `audit` and `members` against the console's real REST
 * handler over a throw-away database (no lab: the frontends are never polled). The CLI runs in-process.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { runCli } from "@/test-support/cli-run";
import { SETUP } from "@/test-support/test-context";
import type { PrismaClient } from "@/generated/prisma/client";

const SEED = `
clusters:
  - name: shop
    members:
      - { name: tomcat1, route: tomcat1, host: 127.0.0.1, ajpPort: 8009 }
      - { name: tomcat2, route: tomcat2, host: 127.0.0.1, ajpPort: 8010 }
    frontends:
      - { name: jk, kind: mod-jk, url: "http://127.0.0.1:1/jkstatus", balancer: lb, password: jk-s3cret }
`;

let db: PrismaClient;
let cleanup: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
let dir = "";
const tokens = { operator: "", viewer: "" };

async function cli(argv: string[], token = tokens.operator) {
  return runCli(api.url, token, argv);
}

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  Object.assign(tokens, await createCliTokens(db));
  await importInventory(db, parseInventoryYaml(SEED), SETUP);
  api = await serveRestApi(db);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "cd-inventory-"));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await api.close();
  await cleanup();
});

describe("clusterdeck inventory", () => {
  it("export → plan (0, no changes) → edit → plan (2) → apply (0) → plan (0)", async () => {
    const file = path.join(dir, "shop.yaml");
    const exported = await cli(["inventory", "export", "--cluster", "shop", "-f", file]);
    expect(exported.code).toBe(0);
    const yaml = await fs.readFile(file, "utf8");
    expect(yaml).not.toContain("jk-s3cret");
    expect(yaml).toContain("<kept>");

    const same = await cli(["inventory", "plan", "-f", file]);
    expect(same).toMatchObject({ code: 0 });
    expect(same.stdout).toContain("No changes");

    await fs.writeFile(file, yaml.replace("ajpPort: 8010", "ajpPort: 8011"));
    const planned = await cli(["inventory", "plan", "-f", file, "--json"]);
    expect(planned.code).toBe(2);
    expect(JSON.parse(planned.stdout)).toMatchObject({
      changes: [
        { op: "change", kind: "member", name: "tomcat2", fields: [{ field: "ajpPort", before: 8010, after: 8011 }] },
      ],
    });
    expect((await db.member.findFirstOrThrow({ where: { name: "tomcat2" } })).ajpPort).toBe(8010);

    const human = await cli(["inventory", "plan", "-f", file]);
    expect(human.stdout).toContain(
      "~ member shop/tomcat2\n    ajpPort: 8010 → 8011\nPlan: 0 to add, 1 to change, 0 to remove.",
    );

    const applied = await cli(["inventory", "apply", "-f", file]);
    expect(applied.code).toBe(0);
    expect((await db.member.findFirstOrThrow({ where: { name: "tomcat2" } })).ajpPort).toBe(8011);
    expect((await cli(["inventory", "plan", "-f", file])).code).toBe(0);
  });

  it("--prune: plan 2 with the removal, apply removes", async () => {
    const file = path.join(dir, "pruned.yaml");
    await cli(["inventory", "export", "--cluster", "shop", "-f", file]);
    const yaml = await fs.readFile(file, "utf8");
    await fs.writeFile(file, yaml.replace(/ {6}- name: tomcat2\n( {8}.*\n)+/, ""));
    expect((await cli(["inventory", "plan", "-f", file])).code).toBe(0);
    const planned = await cli(["inventory", "plan", "-f", file, "--prune"]);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("- member shop/tomcat2");
    expect((await cli(["inventory", "apply", "-f", file, "--prune"])).code).toBe(0);
    expect(await db.member.count({ where: { name: "tomcat2" } })).toBe(0);
  });

  it("plan's errors exit 1 (a bad file, a missing file); a viewer's token exits 3", async () => {
    const file = path.join(dir, "bad.yaml");
    await fs.writeFile(file, "clusters:\n  - name: shop\n    members: [{ name: x, route: x, host: 'two words' }]\n");
    const bad = await cli(["inventory", "plan", "-f", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("clusters.0.members.0.host");
    expect((await cli(["inventory", "plan", "-f", path.join(dir, "missing.yaml")])).code).toBe(1);
    expect((await cli(["inventory", "apply", "-f", file])).code).toBe(2);
    expect((await cli(["inventory", "export"], tokens.viewer)).code).toBe(3);
  });
});

describe("clusterdeck audit / members", () => {
  it("audit --since --json lists the inventory applies, newest first", async () => {
    const file = path.join(dir, "audited.yaml");
    await cli(["inventory", "export", "-f", file]);
    for (let i = 0; i < 2; i++) expect((await cli(["inventory", "apply", "-f", file])).code).toBe(0);
    const res = await cli(["audit", "--since", "1h", "--action", "inventory.", "--json"]);
    expect(res.code).toBe(0);
    const entries = JSON.parse(res.stdout) as Array<{ action: string; result: string; at: string }>;
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.every((e) => e.action === "inventory.apply")).toBe(true);
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort().reverse());
    expect(JSON.parse((await cli(["audit", "--since", "1h", "--limit", "1", "--json"])).stdout)).toHaveLength(1);
    expect((await cli(["audit", "--since", "yesterday-ish"])).code).toBe(2);
  });

  it("members lists a cluster's members", async () => {
    const res = await cli(["members", "shop", "--json"]);
    expect(res.code).toBe(0);
    const names = (JSON.parse(res.stdout) as Array<{ name: string }>).map((m) => m.name);
    expect(names).toEqual((await db.member.findMany({ orderBy: { name: "asc" } })).map((m) => m.name));
    expect(names).toContain("tomcat1");
    expect((await cli(["members", "nosuch"])).code).toBe(2);
  });
});
