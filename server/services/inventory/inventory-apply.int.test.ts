/**
 * Inventory as code over the real REST handler, with the lab's inventory and a real poller polling the
 * lab's frontends (wired to inventory changes as boot.ts wires it): export → apply changes nothing; one
 * new member and one changed poll interval plan as exactly those two, apply makes them and the poller
 * polls at the new interval; prune removes a member the file drops; a bad field is a 400 naming it.
 * Only the test database changes: the lab's servers are read, never written.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseDocument } from "yaml";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { Poller } from "@/server/poller/poller";
import { onEvent } from "@/server/poller/event-bus";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const FRONTEND = "apache-mod-jk";

let db: PrismaClient;
let cleanup: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
let token = "";
let poller: Poller;
let offInventory: () => void;

async function rest(method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
  // Slow enough that a poll at the old interval cannot happen during the test.
  await db.frontend.updateMany({ where: { name: FRONTEND }, data: { pollIntervalMs: 600_000 } });
  token = (await createCliTokens(db)).operator;
  api = await serveRestApi(db);
  poller = new Poller(db, 4);
  await poller.start();
  offInventory = onEvent("inventory-changed", () => void poller.reload());
});
afterAll(async () => {
  offInventory();
  poller.stop();
  await api.close();
  await cleanup();
});

async function exportLab() {
  const res = await rest("GET", "/inventory?cluster=lab");
  expect(res.status).toBe(200);
  return res.body.yaml as string;
}

describe("inventory as code against the lab", () => {
  it("export → apply of the same file: no changes", async () => {
    const yaml = await exportLab();
    expect(yaml).not.toContain("clusterdeck-lab"); // the Manager app's password
    const applied = await rest("POST", "/inventory/apply", { yaml });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ changes: [], summary: { add: 0, change: 0, remove: 0 } });
  });

  it("one new member and a changed poll interval: the plan shows exactly those, apply makes them, the poller follows", async () => {
    const doc = parseDocument(await exportLab());
    doc.addIn(["clusters", 0, "members"], { name: "tomcat9", route: "tomcat9", host: "127.0.0.1", ajpPort: 18099 });
    const frontends = doc.getIn(["clusters", 0, "frontends"]) as { items: Array<{ get: (k: string) => unknown }> };
    const fi = frontends.items.findIndex((f) => f.get("name") === FRONTEND);
    doc.setIn(["clusters", 0, "frontends", fi, "pollIntervalMs"], 500);
    const yaml = doc.toString();

    const plan = await rest("POST", "/inventory/plan", { yaml });
    expect(plan.status).toBe(200);
    const changes = plan.body.changes as Array<{ op: string; kind: string; name: string; fields: unknown[] }>;
    expect(changes.map((c) => `${c.op} ${c.kind} ${c.name}`)).toEqual([
      "add member tomcat9",
      `change frontend ${FRONTEND}`,
    ]);
    expect(changes[1]!.fields).toEqual([{ field: "pollIntervalMs", before: 600_000, after: 500 }]);
    expect(await db.member.count({ where: { name: "tomcat9" } })).toBe(0);

    const frontend = await db.frontend.findFirstOrThrow({ where: { name: FRONTEND } });
    let polls = 0;
    const off = onEvent("frontend-polled", (ev) => {
      if (ev.frontendId === frontend.id) polls++;
    });
    try {
      const applied = await rest("POST", "/inventory/apply", { yaml });
      expect(applied.body.changes).toEqual(changes);
      expect(await db.member.count({ where: { name: "tomcat9" } })).toBe(1);
      expect((await db.frontend.findUniqueOrThrow({ where: { id: frontend.id } })).pollIntervalMs).toBe(500);
      // At the old interval (10 minutes) no poll would come; at 500 ms they keep coming.
      await vi.waitFor(() => expect(polls).toBeGreaterThanOrEqual(3), { timeout: 15_000, interval: 100 });
    } finally {
      off();
    }
    expect((await rest("POST", "/inventory/plan", { yaml })).body.changes).toEqual([]);
  });

  it("prune removes the member the file drops", async () => {
    const doc = parseDocument(await exportLab());
    const members = doc.getIn(["clusters", 0, "members"]) as { items: Array<{ get: (k: string) => unknown }> };
    doc.deleteIn(["clusters", 0, "members", members.items.findIndex((m) => m.get("name") === "tomcat9")]);
    const yaml = doc.toString();
    expect((await rest("POST", "/inventory/plan", { yaml })).body.changes).toEqual([]); // prune is off by default
    const pruned = await rest("POST", "/inventory/apply", { yaml, prune: true });
    expect(pruned.body.changes).toEqual([
      { op: "remove", kind: "member", cluster: "lab", name: "tomcat9", fields: [] },
    ]);
    expect(await db.member.count({ where: { name: "tomcat9" } })).toBe(0);
  });

  it("a bad field: 400 naming the field's path, nothing written", async () => {
    const doc = parseDocument(await exportLab());
    doc.addIn(["clusters", 0, "members"], { name: "tomcat8", route: "tomcat8", host: "127.0.0.1" });
    doc.setIn(["clusters", 0, "frontends", 0, "timeoutMs"], "soon");
    const before = await db.auditEntry.count({ where: { action: "inventory.apply" } });
    const res = await rest("POST", "/inventory/apply", { yaml: doc.toString() });
    expect(res.status).toBe(400);
    expect(res.body.appCode).toBe("INVALID_INPUT");
    const issues = res.body.issues as Array<{ path: string[] }>;
    expect(issues.map((i) => i.path.join("."))).toEqual(["clusters.0.frontends.0.timeoutMs"]);
    expect(await db.member.count({ where: { name: "tomcat8" } })).toBe(0);
    expect(await db.auditEntry.count({ where: { action: "inventory.apply" } })).toBe(before);
  });
});
