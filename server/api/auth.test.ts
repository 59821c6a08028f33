/**
 * Every procedure, over tRPC and over REST, as anonymous / viewer / operator / admin: below the role it
 * needs → 401 or 403, at or above → past the role check (it may still fail for its own reason: here,
 * with an empty database, most targets do not exist). The table (test-support/procedure-table.ts) must
 * name every procedure of the router. Also: revoked, expired and malformed credentials are anonymous,
 * cookie sessions need their CSRF token on mutations, and token use is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { createRequestContext } from "@/server/api/trpc";
import { createTestDb } from "@/test-support/test-db";
import { createUser } from "@/server/auth/users";
import { createApiToken, revokeApiToken } from "@/server/auth/api-tokens";
import { createSession } from "@/server/auth/sessions";
import type { TPrincipal } from "@/server/auth/principal";
import type { TRole } from "@/server/auth/roles";
import type { PrismaClient } from "@/generated/prisma/client";
import {
  PROCEDURES,
  RANK,
  restProcedures,
  restRequestFor,
  routerProcedures,
  type TTargets,
} from "@/test-support/procedure-table";
import { callerHeaders, callRest, callTrpc } from "@/test-support/http-api";

const TARGETS: TTargets = {
  cluster: "nosuch",
  member: "tomcat2",
  sessionId: "A1B2C3D4E5F60718293A4B5C6D7E8F90-n1.tomcat2",
  rolloutCluster: "nosuch",
  rolloutId: 1,
  operationId: 999_999,
};
const CALLERS = [null, "viewer", "operator", "admin"] as const;

/** Statuses of a call past the role check that failed for its own reason (bad input, nothing there, a conflict). */
const PAST = [200, 201, 204, 400, 404, 409];
/** Public procedures (sign-in) also answer 401 for wrong credentials: that is their own answer, not a role check. */
const PAST_PUBLIC = [...PAST, 401];

/** 401 for anonymous below a signed-in role, 403 for a role below the one needed, else past the check. */
function expectedStatus(needs: keyof typeof RANK, role: TRole | null): 401 | 403 | "past" {
  if (needs === "public") return "past";
  if (role === null) return 401;
  return RANK[role] >= RANK[needs] ? "past" : 403;
}

describe("every procedure × every role", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const tokens: Partial<Record<TRole, string>> = {};
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    const admin = await createUser(db, "boss", "long-enough-password", "admin");
    const owner: TPrincipal = {
      userId: admin.id,
      username: "boss",
      role: "admin",
      via: "token",
      csrfToken: null,
      tokenId: null,
      tokenName: null,
    };
    for (const role of ["viewer", "operator", "admin"] as const) {
      const user = await createUser(db, `user-${role}`, "long-enough-password", role);
      tokens[role] = (await createApiToken(db, { ...owner, userId: user.id, role }, role, role)).token;
    }
  });
  afterAll(() => cleanup());

  it("the table names every procedure of the router", () => {
    expect(Object.keys(PROCEDURES).sort()).toEqual(
      routerProcedures()
        .map((p) => p.path)
        .sort(),
    );
  });

  for (const { path, type } of routerProcedures()) {
    const c = PROCEDURES[path];
    if (!c) continue; // reported by the test above
    it(`${path} (${c.needs}) over tRPC`, async () => {
      for (const role of CALLERS) {
        const headers = callerHeaders({ token: role ? tokens[role] : undefined });
        const expected = expectedStatus(c.needs, role);
        let status: number;
        if (type === "subscription") {
          const caller = createCaller(await createRequestContext(db, new Request("http://127.0.0.1/", { headers })));
          const [router, proc] = path.split(".") as [string, string];
          const subscribe = (caller as unknown as Record<string, Record<string, (i: unknown) => unknown>>)[router]![
            proc
          ]!;
          status = await Promise.resolve()
            .then(async () => {
              const it = (await subscribe(c.input(TARGETS))) as AsyncIterable<unknown>;
              for await (const _ of it) break;
              return 200;
            })
            .catch((e: { code?: string }) =>
              e.code === "UNAUTHORIZED" ? 401 : e.code === "FORBIDDEN" ? 403 : e.code === "NOT_FOUND" ? 404 : 500,
            );
        } else {
          status = (await callTrpc(db, path, type, c.input(TARGETS), headers)).status;
        }
        const past = c.needs === "public" ? PAST_PUBLIC : PAST;
        if (expected === "past") expect(past, `${path} as ${role ?? "anonymous"}`).toContain(status);
        else expect(status, `${path} as ${role ?? "anonymous"}`).toBe(expected);
      }
    });
  }

  for (const { path, method, template } of restProcedures()) {
    it(`${method} /api/v1${template} (${path}) over REST`, async () => {
      const c = PROCEDURES[path]!;
      for (const role of CALLERS) {
        const { url, body } = restRequestFor(method, template, c.input(TARGETS));
        const res = await callRest(db, method, url, body, callerHeaders({ token: role ? tokens[role] : undefined }));
        const expected = expectedStatus(c.needs, role);
        if (expected === "past") expect(PAST, `${path} as ${role ?? "anonymous"}: ${res.text}`).toContain(res.status);
        else expect(res.status, `${path} as ${role ?? "anonymous"}`).toBe(expected);
      }
    });
  }
});

describe("credentials", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let owner: TPrincipal;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    const admin = await createUser(db, "boss", "long-enough-password", "admin");
    owner = {
      userId: admin.id,
      username: "boss",
      role: "admin",
      via: "token",
      csrfToken: null,
      tokenId: null,
      tokenName: null,
    };
  });
  afterAll(() => cleanup());

  it("revoked, expired, made-up and malformed credentials are anonymous (401), never a 500", async () => {
    const revoked = await createApiToken(db, owner, "old", "admin");
    await revokeApiToken(db, owner, revoked.id);
    const expired = await createApiToken(db, owner, "short", "admin", 1);
    await db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const headers of [
      callerHeaders({ token: revoked.token }),
      callerHeaders({ token: expired.token }),
      callerHeaders({ token: "cdk_not-a-real-token" }),
      callerHeaders({ cookie: "cd_session=%E0%A4%A" }), // a bad %-escape
      callerHeaders({ cookie: "cd_session=cds_short" }),
    ]) {
      expect((await callRest(db, "GET", "/clusters", undefined, headers)).status).toBe(401);
      expect((await callTrpc(db, "cluster.overview", "query", {}, headers)).status).toBe(401);
    }
    const good = await createApiToken(db, owner, "good", "viewer");
    expect((await callRest(db, "GET", "/clusters", undefined, callerHeaders({ token: good.token }))).status).toBe(200);
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: good.id } });
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("a cookie session must echo its CSRF token on mutations; queries need none", async () => {
    const user = await createUser(db, "op", "long-enough-password", "operator");
    const s = await createSession(db, user.id, null);
    const cookie = `cd_session=${s.cookieValue}`;
    const input = { name: "csrf-test", description: "" };
    const forged = await callTrpc(db, "cluster.create", "mutation", input, callerHeaders({ cookie }));
    expect(forged.status).toBe(403);
    expect(forged.text).toContain("CSRF");
    expect(
      (await callTrpc(db, "cluster.create", "mutation", input, callerHeaders({ cookie, csrf: "csrf_wrong" }))).status,
    ).toBe(403);
    expect(await db.cluster.count({ where: { name: "csrf-test" } })).toBe(0);
    expect(
      (await callTrpc(db, "cluster.create", "mutation", input, callerHeaders({ cookie, csrf: s.csrfToken }))).status,
    ).toBe(200);
    expect(await db.cluster.count({ where: { name: "csrf-test" } })).toBe(1);
    expect((await callTrpc(db, "cluster.overview", "query", {}, callerHeaders({ cookie }))).status).toBe(200);
    // Refusals are audited (as denied), per principal and rate-limited.
    const refused = await db.auditEntry.findMany({ where: { action: "auth.refused", actor: "op" } });
    expect(refused.map((r) => JSON.parse(r.details!) as { reason: string })).toEqual([
      { reason: "csrf" },
      { reason: "csrf" },
    ]);
  });

  it("an internal error answers a generic message with an id, never the underlying text", async () => {
    const user = await createUser(db, "viewer-x", "long-enough-password", "viewer");
    const token = (await createApiToken(db, { ...owner, userId: user.id, role: "viewer" }, "v", "viewer")).token;
    // A row the app cannot read: its stored JSON is broken, so parsing it throws a plain SyntaxError.
    await db.auditEntry.create({
      data: { actor: "x", action: "test.broken", result: "ok", details: "{not json SECRET-IN-ROW" },
    });
    const res = await callRest(db, "GET", "/audit?limit=5", undefined, callerHeaders({ token }));
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/Internal error \(id [0-9a-f]{8}\): the console's log has the details/);
    expect(res.text).not.toContain("SECRET-IN-ROW");
    expect(res.text).not.toMatch(/JSON/);
  });
});
