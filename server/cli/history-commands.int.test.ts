/**
 * `clusterdeck history` of the lab: a real poller polls the lab's frontends into a test database, its
 * history is written, and the CLI (in-process, over the real REST handler) prints one row per member ×
 * time bucket.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { Poller } from "@/server/poller/poller";
import { onEvent } from "@/server/poller/event-bus";
import { runCli } from "@/test-support/cli-run";
import type { PrismaClient } from "@/generated/prisma/client";

let db: PrismaClient;
let cleanup: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
let token = "";
let poller: Poller;

async function cli(...argv: string[]) {
  return runCli(api.url, token, argv);
}

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  await importInventoryFile(db, labValue(loadLabEnv(), "LAB_INVENTORY"));
  token = (await createCliTokens(db)).viewer;
  api = await serveRestApi(db);
  const frontends = await db.frontend.count();
  const polls = new Map<number, number>();
  const off = onEvent("frontend-polled", (ev) => polls.set(ev.frontendId, (polls.get(ev.frontendId) ?? 0) + 1));
  poller = new Poller(db, 4);
  await poller.start();
  // Two polls of every frontend: the second gives rates.
  await vi.waitFor(() => expect([...polls.values()].filter((n) => n >= 2).length).toBe(frontends), {
    timeout: 30_000,
    interval: 200,
  });
  off();
  await poller.flushHistory(true);
});
afterAll(async () => {
  poller.stop();
  await api.close();
  await cleanup();
});

describe("clusterdeck history (lab)", () => {
  it("--csv: one row per member × time bucket", async () => {
    const res = await cli("history", "lab", "--range", "15m", "--csv");
    expect(res.code).toBe(0);
    const [header, ...lines] = res.stdout.trimEnd().split("\n");
    expect(header).toBe("time,member,requests_per_s,errors_per_s,busy,bytes_per_s");
    const members = (await db.member.findMany({ where: { cluster: { name: "lab" } } })).map((m) => m.route).sort();
    const rows = lines.map((l) => l.split(","));
    const times = [...new Set(rows.map((r) => r[0]))];
    expect(times.length).toBeGreaterThanOrEqual(1);
    expect(rows).toHaveLength(members.length * times.length);
    for (const t of times) expect(rows.filter((r) => r[0] === t).map((r) => r[1])).toEqual(members);
    // The recorded bucket has each member's values (rates from the two polls).
    const last = rows.filter((r) => r[0] === times.at(-1));
    for (const r of last) expect(r[2]).toMatch(/^\d+(\.\d+)?$/);
  });

  it("--member and --json: only that member's rows", async () => {
    const res = await cli("history", "lab", "--member", "tomcat2", "--json");
    expect(res.code).toBe(0);
    const rows = JSON.parse(res.stdout) as Array<{ member: string; time: string }>;
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(new Set(rows.map((r) => r.member))).toEqual(new Set(["tomcat2"]));
    expect((await cli("history", "lab", "--member", "nosuch")).code).toBe(2);
  });
});
