/**
 * Admin-only settings (domain/privileged-settings.ts): an operator's create, update or YAML import that
 * sets or changes nginx commands, the include file, a deploy command or webhook, or a frontend's address
 * while its password is kept → FORBIDDEN, audited as denied, nothing written. The same as an admin → OK.
 * Leaving those settings untouched is allowed to operators.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { createCaller } from "@/server/api/root";
import { SETUP, testContext } from "@/test-support/test-context";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { startRollout } from "@/server/services/rollouts/service";
import { includeFileProblem } from "@/server/adapters/frontends/nginx/options";
import { parseNginxStatus } from "@/server/adapters/frontends/nginx/status";
import { SNIPPET_CHARS } from "@/server/domain/snippet";
import type { PrismaClient } from "@/generated/prisma/client";
import type { TRole } from "@/server/auth/roles";

const DIR = "/etc/nginx/clusterdeck"; // the unit project's CLUSTERDECK_NGINX_INCLUDE_DIR (vitest.config.ts)
const nginxOptions = {
  includeFile: `${DIR}/up.conf`,
  testCommand: ["nginx", "-t"],
  reloadCommand: ["nginx", "-s", "reload"],
};
const nginxFrontend = (options: Record<string, unknown> | undefined = nginxOptions) => ({
  name: "nginx",
  kind: "nginx" as const,
  url: "http://127.0.0.1:18110/nginx_status",
  balancer: "tomcats",
  ...(options ? { options } : {}),
});
const yaml = (options: string) => `
clusters:
  - name: shop
    frontends:
      - name: nginx
        kind: nginx
        url: "http://127.0.0.1:18110/nginx_status"
        balancer: tomcats
        options: { ${options} }
`;
const OPTIONS_YAML = `includeFile: ${DIR}/up.conf, testCommand: [nginx, -t], reloadCommand: [nginx, -s, reload]`;

describe("admin-only settings", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let clusterId: number;
  const as = (role: TRole) => createCaller(testContext(db, role));
  const denied = (action: string) => db.auditEntry.findMany({ where: { action, result: "denied" } });
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    clusterId = (await as("admin").cluster.create({ name: "shop", description: "" })).id;
  });
  afterEach(() => cleanup());

  it("creating an nginx frontend (commands, include file): operator refused and audited, admin allowed", async () => {
    const err = await as("operator")
      .frontend.create({ clusterId, data: nginxFrontend() })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FORBIDDEN" });
    expect((err as Error).message).toMatch(
      /nginx test command \(runs a program.*nginx include file \(reads and writes/,
    );
    expect(await db.frontend.count()).toBe(0);
    const [entry] = await denied("frontend.create");
    expect(entry).toMatchObject({ actorRole: "operator", target: "nginx" });
    expect(JSON.parse(entry!.details!)).toMatchObject({ error: expect.stringContaining("Only an admin") });

    const created = await as("admin").frontend.create({ clusterId, data: nginxFrontend() });
    expect(JSON.parse((await db.frontend.findUniqueOrThrow({ where: { id: created.id } })).options)).toMatchObject(
      nginxOptions,
    );
  });

  it("updating: changing a command is refused to an operator; leaving options out or the same is allowed", async () => {
    const { id } = await as("admin").frontend.create({ clusterId, data: nginxFrontend() });
    const stored = (await db.frontend.findUniqueOrThrow({ where: { id } })).options;
    for (const change of [
      { ...nginxOptions, testCommand: ["/bin/sh", "-c", "id > /tmp/pwned"] },
      { ...nginxOptions, reloadCommand: ["nginx", "-s", "stop"] },
      { ...nginxOptions, includeFile: `${DIR}/other.conf` },
    ]) {
      await expect(as("operator").frontend.update({ id, data: nginxFrontend(change) })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      expect((await db.frontend.findUniqueOrThrow({ where: { id } })).options).toBe(stored);
    }
    expect(await denied("frontend.update")).toHaveLength(3);
    // Untouched: options left out, or given exactly as stored (the editor sends them back), with other changes.
    await as("operator").frontend.update({ id, data: { ...nginxFrontend(undefined), pollIntervalMs: 5000 } });
    await as("operator").frontend.update({ id, data: { ...nginxFrontend(), timeoutMs: 2500, options: nginxOptions } });
    expect(await db.frontend.findUniqueOrThrow({ where: { id } })).toMatchObject({
      pollIntervalMs: 2000, // the second update gave no pollIntervalMs: its default
      timeoutMs: 2500,
      options: stored,
    });
    await as("admin").frontend.update({ id, data: nginxFrontend({ ...nginxOptions, testCommand: ["nginx", "-T"] }) });
    expect(JSON.parse((await db.frontend.findUniqueOrThrow({ where: { id } })).options)).toMatchObject({
      testCommand: ["nginx", "-T"],
    });
  });

  it("YAML import: an operator's file that sets or changes admin-only settings changes nothing; an admin's is imported", async () => {
    await expect(as("operator").cluster.import({ yaml: yaml(OPTIONS_YAML) })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await db.frontend.count()).toBe(0);
    expect(await denied("cluster.import")).toHaveLength(1);
    await as("admin").cluster.import({ yaml: yaml(OPTIONS_YAML) });
    expect(await db.frontend.count()).toBe(1);
    // The same file again changes nothing admin-only: an operator may import it.
    await as("operator").cluster.import({ yaml: yaml(OPTIONS_YAML) });
    await expect(
      as("operator").cluster.import({ yaml: yaml(OPTIONS_YAML.replace("[nginx, -t]", "[/bin/sh, -c, id]")) }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(JSON.parse((await db.frontend.findFirstOrThrow()).options)).toMatchObject({ testCommand: ["nginx", "-t"] });
  });

  it("a frontend's address while its stored password is kept is an admin's change; a new or cleared password is not", async () => {
    const f = await as("admin").frontend.create({
      clusterId,
      data: { name: "jk", kind: "mod-jk", url: "http://10.0.0.5/jkstatus", balancer: "lb", password: "s3cret" },
    });
    const moved = { name: "jk", kind: "mod-jk" as const, url: "http://203.0.113.9/jkstatus", balancer: "lb" };
    await expect(as("operator").frontend.update({ id: f.id, data: moved })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("the address of a frontend whose stored password is kept"),
    });
    expect((await db.frontend.findUniqueOrThrow({ where: { id: f.id } })).url).toBe("http://10.0.0.5/jkstatus");
    // Clearing it, or giving a new one, is the operator's call.
    await as("operator").frontend.update({ id: f.id, data: { ...moved, keepPassword: false } });
    expect(await db.frontend.findUniqueOrThrow({ where: { id: f.id } })).toMatchObject({
      url: "http://203.0.113.9/jkstatus",
      password: null,
    });
    await as("operator").frontend.update({
      id: f.id,
      data: { ...moved, url: "http://10.0.0.6/jkstatus", password: "n3w" },
    });
    expect((await db.frontend.findUniqueOrThrow({ where: { id: f.id } })).password).toBe("n3w");
    await as("admin").frontend.update({ id: f.id, data: { ...moved, url: "http://10.0.0.7/jkstatus" } });
    expect(await db.frontend.findUniqueOrThrow({ where: { id: f.id } })).toMatchObject({
      url: "http://10.0.0.7/jkstatus",
      password: "n3w",
    });
  });

  it("a rollout's deploy command or webhook: operator refused and audited as denied, nothing created", async () => {
    await importInventory(
      db,
      parseInventoryYaml(`
clusters:
  - name: shop
    members:
      - { name: a, route: a, host: 127.0.0.1, httpPort: 1 }
      - { name: b, route: b, host: 127.0.0.1, httpPort: 1 }
`),
      SETUP,
    );
    const operator = testContext(db, "operator");
    for (const deploy of [
      { kind: "command" as const, command: "touch /tmp/x" },
      { kind: "webhook" as const, url: "https://ci.example/hook?token=abc" },
    ]) {
      await expect(
        startRollout(
          db,
          "shop",
          { deploy, wait: { strategy: "inflight" } },
          { principal: operator.principal, ip: null },
        ),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const entries = await denied("rollout.start");
    expect(entries.map((e) => (JSON.parse(e.details!) as { settings: string[] }).settings)).toEqual([
      ["deploy command"],
      ["deploy webhook URL"],
    ]);
    expect(await db.rollout.count()).toBe(0);
  });
});

describe("nginx include files", () => {
  it("must lie in the configured directory: other paths, '..' and links that lead out are refused", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-include-"));
    try {
      fs.symlinkSync("/etc/passwd", path.join(dir, "link.conf"));
      expect(includeFileProblem(`${dir}/up.conf`, dir)).toBeNull();
      expect(includeFileProblem("/etc/passwd", dir)).toMatch(/must lie in .* files elsewhere are refused/);
      expect(includeFileProblem(`${dir}/../x.conf`, dir)).toMatch(/no "\." or "\.\." parts/);
      expect(includeFileProblem(`${dir}/link.conf`, dir)).toMatch(/symbolic link that leads out/);
      expect(includeFileProblem(`${dir}/up.conf`, "")).toMatch(/set CLUSTERDECK_NGINX_INCLUDE_DIR/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file that is not an upstream file is quoted as a short snippet at most in the poll error", () => {
    const secret = "CLUSTERDECK_ADMIN_PASSWORD=correct-horse-battery-staple-and-more";
    const doc = { includeFile: `${DIR}/up.conf`, file: `${secret}\nPATH=/usr/bin\n`, probes: {}, stubStatus: null };
    const err = (() => {
      try {
        parseNginxStatus(JSON.stringify({ ...doc, stubStatusError: null }));
      } catch (e) {
        return e as Error;
      }
      throw new Error("parsed a secrets file as an upstream file");
    })();
    expect(err.message).toContain(secret.slice(0, SNIPPET_CHARS));
    expect(err.message).not.toContain(secret.slice(0, SNIPPET_CHARS + 1));
    expect(err.message).not.toContain("battery");
  });
});
