/**
 * REST conventions over the console's real handler (rest.ts): 201 on a create, 204 on a delete, 404 / 409
 * / 400 with the AppError code in the body (and the bad field's path), and paged lists.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens } from "@/test-support/rest-server";
import { callerHeaders, callRest } from "@/test-support/http-api";
import type { PrismaClient } from "@/generated/prisma/client";

let db: PrismaClient;
let cleanup: () => Promise<void>;
let headers: Headers;

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  headers = callerHeaders({ token: (await createCliTokens(db)).operator });
});
afterAll(() => cleanup());

const call = (method: string, url: string, body?: unknown) =>
  callRest(db, method, url, body === undefined ? undefined : JSON.stringify(body), headers);
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("REST conventions", () => {
  it("create 201, conflict 409, update 200, delete 204, then 404 — each error with its appCode", async () => {
    const created = await call("POST", "/clusters", { name: "rest-a", description: "first" });
    expect(created.status).toBe(201);
    expect(json(created.text)).toMatchObject({ name: "rest-a", description: "first" });

    const again = await call("POST", "/clusters", { name: "rest-a" });
    expect(again.status).toBe(409);
    expect(json(again.text)).toMatchObject({ appCode: "CONFLICT" });

    const renamed = await call("PATCH", "/clusters/rest-a", { data: { name: "rest-b", description: "second" } });
    expect(renamed.status).toBe(200);
    expect(await db.cluster.findUnique({ where: { name: "rest-b" } })).toMatchObject({ description: "second" });

    const deleted = await call("DELETE", "/clusters/rest-b");
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(await db.cluster.count({ where: { name: "rest-b" } })).toBe(0);

    const gone = await call("GET", "/clusters/rest-b");
    expect(gone.status).toBe(404);
    expect(json(gone.text)).toMatchObject({ appCode: "NOT_FOUND" });
  });

  it("bad input is 400 INVALID_INPUT naming the field's path, and writes nothing", async () => {
    const c = json((await call("POST", "/clusters", { name: "rest-c" })).text) as { id: number };
    const bad = await call("POST", "/members", {
      clusterId: c.id,
      data: { name: "t1", route: "t1", host: "no spaces" },
    });
    expect(bad.status).toBe(400);
    const body = json(bad.text) as { appCode: string; issues: Array<{ path: unknown[] }> };
    expect(body.appCode).toBe("INVALID_INPUT");
    expect(body.issues.map((i) => i.path.join("."))).toEqual(["data.host"]);
    expect(await db.member.count({ where: { clusterId: c.id } })).toBe(0);
  });

  it("an unknown route is 404 NOT_FOUND", async () => {
    const res = await call("GET", "/no/such/route");
    expect(res.status).toBe(404);
    expect(json(res.text)).toMatchObject({ appCode: "NOT_FOUND" });
  });

  it("lists page with limit and offset", async () => {
    for (const name of ["page-1", "page-2", "page-3"]) await call("POST", "/clusters", { name });
    const all = JSON.parse((await call("GET", "/clusters")).text) as Array<{ name: string }>;
    const page = JSON.parse((await call("GET", "/clusters?limit=2&offset=1")).text) as Array<{ name: string }>;
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(page.map((c) => c.name)).toEqual(all.slice(1, 3).map((c) => c.name));
  });
});
