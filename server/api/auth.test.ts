/**
 * Every mutation, over tRPC and over REST: anonymous → 401, below the needed role → 403, the needed
 * role → past auth. Revoked tokens → 401. Cookie sessions without the CSRF token → rejected.
 * The table must name every mutation of the router, so a new mutation cannot skip this test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { appRouter, createCaller } from "@/server/api/root";
import { createRequestContext } from "@/server/api/trpc";
import { createTestDb } from "@/test-support/test-db";
import { createUser } from "@/server/auth/users";
import { createApiToken, revokeApiToken } from "@/server/auth/api-tokens";
import { createSession } from "@/server/auth/sessions";
import type { TPrincipal } from "@/server/auth/principal";
import type { TRole } from "@/server/auth/roles";
import type { PrismaClient } from "@/generated/prisma/client";

type TCase = { needs: TRole; input: unknown };
const member = { cluster: "nosuch", member: "tomcat2" };
const MUTATIONS: Record<string, TCase> = {
  "cluster.create": { needs: "operator", input: { name: "auth-test", description: "" } },
  "cluster.update": { needs: "operator", input: { id: 999, data: { name: "x", description: "" } } },
  "cluster.delete": { needs: "operator", input: { id: 999 } },
  "cluster.setAutoReapply": { needs: "operator", input: { id: 999, enabled: true } },
  "cluster.import": { needs: "operator", input: { yaml: "clusters: []" } },
  "member.create": { needs: "operator", input: { clusterId: 999, data: { name: "t", route: "t", host: "h" } } },
  "member.update": { needs: "operator", input: { id: 999, data: { name: "t", route: "t", host: "h" } } },
  "member.delete": { needs: "operator", input: { id: 999 } },
  "member.drain": { needs: "operator", input: member },
  "member.disable": { needs: "operator", input: member },
  "member.stop": { needs: "operator", input: member },
  "member.standby": { needs: "operator", input: member },
  "member.enable": { needs: "operator", input: member },
  "member.setWeight": { needs: "operator", input: { ...member, weight: 2 } },
  "member.reapply": { needs: "operator", input: member },
  "member.bulk.run": { needs: "operator", input: { cluster: "nosuch", verb: "drain", members: ["tomcat1"] } },
  "frontend.create": {
    needs: "operator",
    input: { clusterId: 999, data: { name: "f", kind: "mod-jk", url: "http://127.0.0.1:1/jkstatus", balancer: "lb" } },
  },
  "frontend.update": {
    needs: "operator",
    input: { id: 999, data: { name: "f", kind: "mod-jk", url: "http://127.0.0.1:1/jkstatus", balancer: "lb" } },
  },
  "frontend.delete": { needs: "operator", input: { id: 999 } },
  "token.create": { needs: "admin", input: { name: "t", role: "viewer" } },
  "token.revoke": { needs: "admin", input: { id: 999 } },
  "session.rescan": { needs: "viewer", input: { cluster: "nosuch" } },
  "store.evacuateNode": { needs: "operator", input: { cluster: "nosuch", store: "msm", node: "n1", dryRun: true } },
  "store.replaceNode": {
    needs: "operator",
    input: { cluster: "nosuch", store: "msm", node: "n1", host: "127.0.0.1", port: 11313, dryRun: true },
  },
  "session.expire": { needs: "operator", input: { cluster: "nosuch", ids: ["ABC-n1.tomcat1"], dryRun: true } },
  "rollout.start": { needs: "operator", input: { cluster: "nosuch", deploy: { kind: "manual" } } },
  "rollout.pause": { needs: "operator", input: { cluster: "nosuch", id: 1 } },
  "rollout.resume": { needs: "operator", input: { cluster: "nosuch", id: 1 } },
  "rollout.abort": { needs: "operator", input: { cluster: "nosuch", id: 1 } },
  "rollout.continue": { needs: "operator", input: { cluster: "nosuch", id: 1 } },
  "user.create": { needs: "admin", input: { username: "someone", password: "long-enough-password", role: "viewer" } },
};
/** Public on purpose: signing in needs no session, and signing out is harmless. */
const PUBLIC_MUTATIONS = ["auth.login", "auth.logout"];
const ROLES_BELOW: Record<TRole, TRole[]> = { viewer: [], operator: ["viewer"], admin: ["viewer", "operator"] };

function principal(role: TRole): TPrincipal {
  return { userId: 1, username: role, role, via: "token", csrfToken: null, tokenId: 1, tokenName: "t" };
}

async function callAs(db: PrismaClient, role: TRole | null, path: string, input: unknown): Promise<string> {
  const caller = createCaller({
    db,
    principal: role ? principal(role) : null,
    ip: null,
    csrfHeader: null,
    resHeaders: new Headers(),
    secure: false,
    sessionCookie: null,
  });
  // Nested routers (member.bulk.run) are walked one name at a time.
  const procedure = path
    .split(".")
    .reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], caller) as (
    i: unknown,
  ) => Promise<unknown>;
  try {
    await procedure(input);
    return "OK";
  } catch (err) {
    return (err as { code?: string }).code ?? "THROWN";
  }
}

describe("every mutation is protected by role (tRPC)", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await createUser(db, "owner", "long-enough-password", "admin"); // id 1: the test principals' user
  });
  afterAll(() => cleanup());

  it("the table names every mutation of the router", () => {
    const mutations = Object.entries(appRouter._def.procedures)
      .filter(([, p]) => (p as unknown as { _def: { type: string } })._def.type === "mutation")
      .map(([path]) => path)
      .filter((p) => !PUBLIC_MUTATIONS.includes(p))
      .sort();
    expect(mutations).toEqual(Object.keys(MUTATIONS).sort());
  });

  for (const [path, c] of Object.entries(MUTATIONS)) {
    it(`${path}: anonymous 401, ${ROLES_BELOW[c.needs].join("/") || "nobody"} 403, ${c.needs} allowed`, async () => {
      expect(await callAs(db, null, path, c.input)).toBe("UNAUTHORIZED");
      for (const lower of ROLES_BELOW[c.needs]) expect(await callAs(db, lower, path, c.input)).toBe("FORBIDDEN");
      // Past auth: the call may still fail for its own reasons (no such cluster), never for auth.
      expect(["OK", "NOT_FOUND", "CONFLICT", "BAD_REQUEST"]).toContain(await callAs(db, c.needs, path, c.input));
    });
  }
});

describe("REST (/api/v1) and cookie sessions", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const tokens: Partial<Record<TRole, string>> = {};
  let revoked: string;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    const admin = await createUser(db, "boss", "long-enough-password", "admin");
    const owner = { ...principal("admin"), userId: admin.id };
    for (const role of ["viewer", "operator", "admin"] as const)
      tokens[role] = (await createApiToken(db, owner, role, role)).token;
    const r = await createApiToken(db, owner, "old", "admin");
    revoked = r.token;
    await revokeApiToken(db, owner, r.id);
  });
  afterAll(() => cleanup());

  const rest = (method: string, path: string, token: string | null, body?: unknown) => {
    const headers = new Headers({ "content-type": "application/json" });
    if (token) headers.set("authorization", `Bearer ${token}`);
    const req = new Request(`http://127.0.0.1/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return createOpenApiFetchHandler({
      endpoint: "/api/v1",
      router: appRouter,
      req,
      createContext: ({ req: r, resHeaders }: { req: Request; resHeaders: Headers }) =>
        createRequestContext(db, r, resHeaders),
    });
  };

  const REST_MUTATIONS = [
    ...["drain", "disable", "stop", "standby", "enable", "weight", "reapply"].map((verb) => ({
      path: `/clusters/nosuch/members/tomcat2/${verb}`,
      body: verb === "weight" ? { weight: 2 } : ({} as Record<string, unknown>),
    })),
    { path: "/clusters/nosuch/bulk/drain", body: { members: ["tomcat1", "tomcat2"] } },
  ];

  for (const m of REST_MUTATIONS) {
    it(`POST ${m.path}: anonymous 401, viewer 403, revoked 401, operator allowed`, async () => {
      expect((await rest("POST", m.path, null, m.body)).status).toBe(401);
      expect((await rest("POST", m.path, tokens.viewer!, m.body)).status).toBe(403);
      expect((await rest("POST", m.path, revoked, m.body)).status).toBe(401);
      expect((await rest("POST", m.path, "cdk_not-a-real-token", m.body)).status).toBe(401);
      const res = await rest("POST", m.path, tokens.operator!, m.body);
      expect(res.status).toBe(404); // past auth: the cluster does not exist
      expect(((await res.json()) as { message: string }).message).toContain('No cluster named "nosuch"');
    });
  }

  it("GET /clusters needs a token; a viewer may read", async () => {
    expect((await rest("GET", "/clusters", null)).status).toBe(401);
    const res = await rest("GET", "/clusters", tokens.viewer!);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it("token use is recorded as last-used time", async () => {
    await rest("GET", "/clusters", tokens.operator!);
    const row = await db.apiToken.findFirstOrThrow({ where: { name: "operator" } });
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("a cookie session must echo its CSRF token on mutations; queries need none", async () => {
    const user = await createUser(db, "op", "long-enough-password", "operator");
    const s = await createSession(db, user.id, null);
    const trpc = (path: string, body: unknown, csrf?: string) => {
      const headers = new Headers({ "content-type": "application/json", cookie: `cd_session=${s.cookieValue}` });
      if (csrf) headers.set("x-csrf-token", csrf);
      const req = new Request(`http://127.0.0.1/api/trpc/${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers,
        body: body === undefined ? undefined : JSON.stringify({ json: body }),
      });
      return fetchRequestHandler({
        endpoint: "/api/trpc",
        req,
        router: appRouter,
        createContext: ({ req: r, resHeaders }) => createRequestContext(db, r, resHeaders),
      });
    };
    const input = { name: "csrf-test", description: "" };
    const forged = await trpc("cluster.create", input);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("CSRF");
    expect((await trpc("cluster.create", input, "csrf_wrong")).status).toBe(403);
    expect(await db.cluster.count({ where: { name: "csrf-test" } })).toBe(0);
    expect((await trpc("cluster.create", input, s.csrfToken)).status).toBe(200);
    expect(await db.cluster.count({ where: { name: "csrf-test" } })).toBe(1);
    expect((await trpc("cluster.overview", undefined)).status).toBe(200);
  });
});
