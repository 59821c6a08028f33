/**
 * Inventory as code without a lab (the lab's version, with the poller, is inventory-apply.int.test.ts):
 * export → apply changes nothing; a plan is exactly the diff and apply makes exactly it, audited once
 * with the diff and no credential; prune removes what the file leaves out; a bad file names the field
 * and writes nothing; an operator's apply that changes an admin-only setting is refused and audited.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { createTestDb } from "@/test-support/test-db";
import { createCaller } from "@/server/api/root";
import { testContext } from "@/test-support/test-context";
import type { PrismaClient } from "@/generated/prisma/client";
import type { TRole } from "@/server/auth/roles";

const JK_PASSWORD = "jk-status-s3cret";
const MANAGER_PASSWORD = "manager-s3cret";
const SEED = `
clusters:
  - name: shop
    description: the shop
    members:
      - { name: tomcat1, route: tomcat1, host: 127.0.0.1, ajpPort: 8009 }
      - { name: tomcat2, route: tomcat2, host: 127.0.0.1, ajpPort: 8010 }
    frontends:
      - { name: jk, kind: mod-jk, url: "http://127.0.0.1:1/jkstatus", balancer: lb, username: status, password: ${JK_PASSWORD} }
    stores:
      - name: mgr
        kind: tomcat-manager
        options: { context: /app, username: manager, password: ${MANAGER_PASSWORD} }
        nodes: [{ name: tomcat1, host: 127.0.0.1, port: 8080 }]
`;

/** The plan's entry for the seed's frontend changing these fields. */
const jkChanged = (...fields: Array<{ field: string; before: unknown; after: unknown }>) => ({
  op: "change",
  kind: "frontend",
  cluster: "shop",
  name: "jk",
  fields,
});

describe("inventory as code", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const as = (role: TRole) => createCaller(testContext(db, role));
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    await as("admin").inventory.applyFile({ yaml: SEED });
  });
  afterEach(() => cleanup());

  /** The exported file, edited as a person would edit it. */
  async function exported(edit: (doc: ReturnType<typeof parseDocument>) => void = () => {}) {
    const doc = parseDocument((await as("operator").inventory.exportFile({ cluster: "shop" })).yaml);
    edit(doc);
    return doc.toString();
  }

  it("exports without credentials, and applying the export changes nothing", async () => {
    const yaml = await exported();
    expect(yaml).not.toContain(JK_PASSWORD);
    expect(yaml).not.toContain(MANAGER_PASSWORD);
    expect(yaml).toContain("<kept>");
    const before = await db.auditEntry.count();
    expect((await as("operator").inventory.planFile({ yaml })).changes).toEqual([]);
    const applied = await as("operator").inventory.applyFile({ yaml });
    expect(applied.summary).toEqual({ add: 0, change: 0, remove: 0 });
    expect(await db.auditEntry.count()).toBe(before + 1);
    // The kept secrets are still the stored ones.
    expect((await db.frontend.findFirstOrThrow()).password).toBe(JK_PASSWORD);
    expect(JSON.parse((await db.sessionStore.findFirstOrThrow()).options)).toMatchObject({
      password: MANAGER_PASSWORD,
    });
  });

  it("plans exactly a new member and a changed poll interval, and apply makes exactly them, audited once", async () => {
    const yaml = await exported((doc) => {
      doc.addIn(["clusters", 0, "members"], { name: "tomcat3", route: "tomcat3", host: "127.0.0.1", ajpPort: 8011 });
      doc.setIn(["clusters", 0, "frontends", 0, "pollIntervalMs"], 5000);
    });
    const plan = await as("operator").inventory.planFile({ yaml });
    expect(plan.changes).toEqual([
      {
        op: "add",
        kind: "member",
        cluster: "shop",
        name: "tomcat3",
        fields: [
          { field: "route", before: null, after: "tomcat3" },
          { field: "host", before: null, after: "127.0.0.1" },
          { field: "ajpPort", before: null, after: 8011 },
        ],
      },
      jkChanged({ field: "pollIntervalMs", before: 2000, after: 5000 }),
    ]);
    expect(await db.member.count()).toBe(2); // a plan writes nothing

    expect((await as("operator").inventory.applyFile({ yaml })).changes).toEqual(plan.changes);
    expect((await db.member.findMany({ orderBy: { name: "asc" } })).map((m) => m.name)).toEqual([
      "tomcat1",
      "tomcat2",
      "tomcat3",
    ]);
    expect((await db.frontend.findFirstOrThrow()).pollIntervalMs).toBe(5000);
    const [entry] = await db.auditEntry.findMany({ where: { action: "inventory.apply" }, orderBy: { id: "desc" } });
    expect(entry).toMatchObject({ result: "ok", actorRole: "operator", cluster: "shop" });
    expect(JSON.parse(entry!.after!)).toMatchObject({ changes: plan.changes });
    expect((await as("operator").inventory.planFile({ yaml })).changes).toEqual([]); // applied: nothing left
  });

  it("a changed password shows as [redacted] in the plan and the audit, never its value", async () => {
    const yaml = await exported((doc) => doc.setIn(["clusters", 0, "frontends", 0, "password"], "a-new-s3cret"));
    const plan = await as("operator").inventory.applyFile({ yaml });
    expect(plan.changes).toEqual([jkChanged({ field: "password", before: "[redacted]", after: "[redacted]" })]);
    expect((await db.frontend.findFirstOrThrow()).password).toBe("a-new-s3cret");
    const audit = JSON.stringify(await db.auditEntry.findMany());
    expect(audit).not.toContain("a-new-s3cret");
    expect(audit).not.toContain(JK_PASSWORD);
  });

  it("prune removes what the file leaves out (off by default)", async () => {
    const yaml = await exported((doc) => doc.deleteIn(["clusters", 0, "members", 1]));
    expect((await as("operator").inventory.planFile({ yaml })).changes).toEqual([]);
    const pruned = await as("operator").inventory.applyFile({ yaml, prune: true });
    expect(pruned.changes).toEqual([{ op: "remove", kind: "member", cluster: "shop", name: "tomcat2", fields: [] }]);
    expect((await db.member.findMany()).map((m) => m.name)).toEqual(["tomcat1"]);
  });

  it("a bad field is INVALID_INPUT naming its path, and nothing is written", async () => {
    const yaml = await exported((doc) => {
      doc.addIn(["clusters", 0, "members"], { name: "tomcat3", route: "tomcat3", host: "127.0.0.1" });
      doc.setIn(["clusters", 0, "frontends", 0, "pollIntervalMs"], 10);
    });
    const err = await as("operator")
      .inventory.applyFile({ yaml })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST" });
    expect((err as Error).message).toContain("clusters.0.frontends.0.pollIntervalMs");
    expect(await db.member.count()).toBe(2);
    expect((await db.frontend.findFirstOrThrow()).pollIntervalMs).toBe(2000);
  });

  it("an operator's apply that sets an admin-only setting is FORBIDDEN, audited as denied, nothing written", async () => {
    const yaml = await exported((doc) => {
      doc.addIn(["clusters", 0, "members"], { name: "tomcat3", route: "tomcat3", host: "127.0.0.1" });
      doc.setIn(["clusters", 0, "frontends", 0, "url"], "http://127.0.0.2:1/jkstatus"); // the kept password goes elsewhere
    });
    const err = await as("operator")
      .inventory.applyFile({ yaml })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FORBIDDEN" });
    expect(await db.member.count()).toBe(2);
    expect(await db.auditEntry.count({ where: { action: "inventory.apply", result: "denied" } })).toBe(1);
    expect((await as("admin").inventory.applyFile({ yaml })).summary).toEqual({ add: 1, change: 1, remove: 0 });
  });

  it("a placeholder with nothing stored to keep is refused with its path", async () => {
    const yaml = SEED.replace("name: jk", "name: jk2").replace(JK_PASSWORD, "<kept>");
    const err = await as("operator")
      .inventory.planFile({ yaml })
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain("clusters.0.frontends.0.password");
  });
});
