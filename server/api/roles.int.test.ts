/**
 * Roles are a boundary, against the lab: every procedure of the router (tRPC and REST) called as
 * anonymous / viewer / operator / admin, each answer's text searched for secrets the caller must not
 * see. Planted: a frontend's password, a session store's password (jdbc-store options; the lab's
 * Manager store holds one too), a webhook token in a rollout's deploy URL, and a live session id made
 * by a real request to /msm through frontend A. Passwords reach no role; the webhook token and the
 * session id reach operators and admins only (positive controls check that they do, so the search is
 * not blind). The audit log is searched the same way, and the database's audit rows hold no password.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import superjson from "superjson";
import { createCaller } from "@/server/api/root";
import { createRequestContext } from "@/server/api/trpc";
import { createTestDb } from "@/test-support/test-db";
import { createReceiver } from "@/server/services/notifications/receivers";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { startCannedServer, type TFaultServer } from "@/test-support/fault-server";
import { callerHeaders, callRest, callTrpc, type TWireAnswer } from "@/test-support/http-api";
import {
  PROCEDURES,
  RANK,
  restProcedures,
  restRequestFor,
  routerProcedures,
  type TTargets,
} from "@/test-support/procedure-table";
import { createUser } from "@/server/auth/users";
import { createApiToken } from "@/server/auth/api-tokens";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { listIndexedSessions } from "@/server/services/sessions/session-index/list";
import { startExpireSessions } from "@/server/services/operations/expire-sessions";
import { requestAbort, startRollout } from "@/server/services/rollouts/service";
import { maskSessionId } from "@/server/domain/session-ids";
import { SETUP } from "@/test-support/test-context";
import type { TPrincipal } from "@/server/auth/principal";
import type { TRole } from "@/server/auth/roles";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const secret = (what: string) => `${what}-${crypto.randomBytes(6).toString("hex")}`;
const FRONTEND_PASSWORD = secret("planted-frontend-pw");
const STORE_PASSWORD = secret("planted-store-pw");
const WEBHOOK_TOKEN = secret("planted-webhook-token");
const RECEIVER_SECRET = secret("planted-receiver-signing-secret");
const RECEIVER_URL_TOKEN = secret("planted-receiver-url-token");
const MANAGER_PASSWORD = labValue(env, "LAB_MANAGER_PASSWORD");
const CALLERS = [null, "viewer", "operator", "admin"] as const;
type TCaller = (typeof CALLERS)[number];

/** What each caller must not find in any answer. */
function forbiddenFor(caller: TCaller, liveId: string): Record<string, string> {
  const never = {
    "frontend password": FRONTEND_PASSWORD,
    "store password": STORE_PASSWORD,
    "Manager password": MANAGER_PASSWORD,
    "notification receiver's signing secret": RECEIVER_SECRET,
  };
  // A receiver's URL (it may carry a token) is the admin's alone.
  if (caller === "admin") return never;
  if (caller === "operator") return { ...never, "receiver URL token": RECEIVER_URL_TOKEN };
  return {
    ...never,
    "webhook token": WEBHOOK_TOKEN,
    "live session id": liveId,
    "receiver URL token": RECEIVER_URL_TOKEN,
  };
}

describe("roles against the lab: every procedure, every role, no leaks", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let hook: TFaultServer;
  let liveId = "";
  let targets: TTargets;
  const tokens: Partial<Record<TRole, string>> = {};
  let adminWho: { principal: TPrincipal; ip: string };
  /** Every answer, by caller, for the checks that look across procedures. */
  const answers: Array<{ caller: TCaller; path: string; via: string; answer: TWireAnswer }> = [];

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    for (const role of ["viewer", "operator", "admin"] as const) {
      const user = await createUser(db, `table-${role}`, "long-enough-password", role);
      const p: TPrincipal = {
        userId: user.id,
        username: user.username,
        role,
        via: "token",
        csrfToken: null,
        tokenId: null,
        tokenName: null,
      };
      if (role === "admin") adminWho = { principal: p, ip: "127.0.0.1" };
      tokens[role] = (await createApiToken(db, p, role, role)).token;
    }

    // A frontend password, set the way an admin sets one (and never answered back).
    const frontend = await db.frontend.findFirstOrThrow({ where: { name: "apache-balancer" } });
    const update = await callTrpc(
      db,
      "frontend.update",
      "mutation",
      {
        id: frontend.id,
        data: {
          name: frontend.name,
          kind: frontend.kind,
          url: frontend.url,
          balancer: frontend.balancer,
          username: "status",
          password: FRONTEND_PASSWORD,
        },
      },
      callerHeaders({ token: tokens.admin }),
    );
    expect(update.status).toBe(200);
    expect(update.text).not.toContain(FRONTEND_PASSWORD);
    // A store password (the lab's PostgreSQL trusts loopback, so the store still reads).
    const jdbc = await db.sessionStore.findFirstOrThrow({ where: { name: "jdbc" } });
    await db.sessionStore.update({
      where: { id: jdbc.id },
      data: { options: JSON.stringify({ ...(JSON.parse(jdbc.options) as object), password: STORE_PASSWORD }) },
    });

    // A live session: a real user request through frontend A to /msm (sessions in the lab's memcached).
    const res = await fetch(
      `${labValue(env, "LAB_FRONTEND_A_URL").replace(/\/app$/, labValue(env, "LAB_MSM_PATH"))}/counter`,
    );
    liveId = ((await res.json()) as { sessionId: string }).sessionId;
    expect(liveId).toMatch(/^[0-9A-F]{32}-n\d\.tomcat\d$/);
    await sessionScans().awaitScan(db, "lab", Date.now());
    expect((await listIndexedSessions(db, "lab", { q: liveId })).rows.map((r) => r.sessionId)).toContain(liveId);
    // An operation whose report lists it (a dry run: nothing is removed), and its audit entry.
    const op = await startExpireSessions(db, { cluster: "lab", ids: [liveId], dryRun: true }, adminWho);
    for (let i = 0; i < 100 && (await db.operation.findUniqueOrThrow({ where: { id: op.id } })).state !== "done"; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await db.operation.findUniqueOrThrow({ where: { id: op.id } })).report).toContain(liveId);

    // A rollout whose deploy webhook carries a token, started by an admin on a cluster of its own, then aborted.
    hook = await startCannedServer(200, "ok", "text/plain");
    const port = new URL(hook.url).port;
    await importInventory(
      db,
      parseInventoryYaml(`
clusters:
  - name: leaks
    members:
      - { name: a, route: a, host: 127.0.0.1, httpPort: ${port} }
      - { name: b, route: b, host: 127.0.0.1, httpPort: ${port} }
`),
      SETUP,
    );
    const rollout = await startRollout(
      db,
      "leaks",
      {
        deploy: { kind: "webhook", url: `http://127.0.0.1:${port}/hook?token=${WEBHOOK_TOKEN}` },
        wait: { strategy: "inflight", timeoutSec: 1 },
      },
      adminWho,
    );
    await requestAbort(db, "leaks", rollout.id, adminWho).catch(() => undefined);
    // A notification receiver (turned off: nothing is sent) with a signing secret and a token in its URL.
    await createReceiver(
      db,
      {
        name: "leaks-hook",
        kind: "webhook",
        url: `http://127.0.0.1:${port}/alerts?token=${RECEIVER_URL_TOKEN}`,
        secret: RECEIVER_SECRET,
        enabled: false,
        timeoutMs: 5000,
        maxAttempts: 8,
        resendSeconds: 60,
      },
      adminWho,
    );
    targets = {
      cluster: "lab",
      member: "tomcat1",
      sessionId: liveId,
      rolloutCluster: "leaks",
      rolloutId: rollout.id,
      operationId: op.id,
    };
  });
  afterAll(async () => {
    await hook?.close();
    await cleanup?.();
  });

  const expectNoLeak = (caller: TCaller, label: string, answer: TWireAnswer) => {
    for (const [what, value] of Object.entries(forbiddenFor(caller, liveId)))
      expect(answer.text.includes(value), `${label} as ${caller ?? "anonymous"} shows the ${what}`).toBe(false);
  };
  const expectRole = (needs: keyof typeof RANK, caller: TCaller, status: number, label: string) => {
    const who = `${label} as ${caller ?? "anonymous"}`;
    if (needs === "public") expect(status, who).not.toBe(500);
    else if (caller === null) expect(status, who).toBe(401);
    else if (RANK[caller] < RANK[needs]) expect(status, who).toBe(403);
    else expect([200, 201, 204, 400, 404, 409], who).toContain(status);
  };

  it("the table names every procedure of the router", () => {
    expect(Object.keys(PROCEDURES).sort()).toEqual(
      routerProcedures()
        .map((p) => p.path)
        .sort(),
    );
  });

  it("over tRPC: each role gets its own answer and nothing it should not see", async () => {
    for (const { path, type } of routerProcedures()) {
      const c = PROCEDURES[path]!;
      for (const caller of CALLERS) {
        const headers = callerHeaders({ token: caller ? tokens[caller] : undefined });
        let answer: TWireAnswer;
        if (type === "subscription") {
          const ctx = await createRequestContext(db, new Request("http://127.0.0.1/", { headers }));
          const [router, proc] = path.split(".") as [string, string];
          const subscribe = (createCaller(ctx) as unknown as Record<string, Record<string, (i: unknown) => unknown>>)[
            router
          ]![proc]!;
          answer = await Promise.resolve(subscribe(c.input(targets)))
            .then(async (stream) => {
              for await (const first of stream as AsyncIterable<unknown>)
                return { status: 200, text: JSON.stringify(superjson.serialize(first)) };
              return { status: 200, text: "" };
            })
            .catch((e: { code?: string; message?: string }) => ({
              status: e.code === "UNAUTHORIZED" ? 401 : e.code === "FORBIDDEN" ? 403 : 404,
              text: String(e.message),
            }));
        } else {
          answer = await callTrpc(db, path, type, c.input(targets), headers);
        }
        answers.push({ caller, path, via: "trpc", answer });
        expectRole(c.needs, caller, answer.status, path);
        expectNoLeak(caller, path, answer);
      }
    }
  });

  it("over REST: the same", async () => {
    for (const { path, method, template } of restProcedures()) {
      const c = PROCEDURES[path]!;
      for (const caller of CALLERS) {
        const { url, body } = restRequestFor(method, template, c.input(targets));
        const answer = await callRest(
          db,
          method,
          url,
          body,
          callerHeaders({ token: caller ? tokens[caller] : undefined }),
        );
        answers.push({ caller, path, via: "rest", answer });
        expectRole(c.needs, caller, answer.status, `${method} ${template}`);
        expectNoLeak(caller, `${method} ${template}`, answer);
      }
    }
  });

  it("positive controls: operators see the live id and the webhook token; viewers see them masked and redacted", () => {
    const text = (caller: TCaller, path: string) =>
      answers
        .filter((a) => a.caller === caller && a.path === path)
        .map((a) => a.answer.text)
        .join("\n");
    for (const path of ["session.list", "session.locate", "operation.get", "audit.list"]) {
      expect(text("operator", path), path).toContain(liveId);
      expect(text("viewer", path), path).toContain(maskSessionId(liveId));
    }
    expect(text("operator", "rollout.get")).toContain(WEBHOOK_TOKEN);
    expect(text("viewer", "rollout.get")).toContain("/hook?[redacted]");
    // A viewer's locate shows where the session lives, not what it holds.
    expect(text("operator", "session.locate")).toMatch(/"name":"counter","value":"\d+"/);
    expect(text("viewer", "session.locate")).toContain('"value":"(hidden: needs the operator role)"');
    expect(text("viewer", "cluster.inventory")).toContain('"hasPassword":true');
    // Receivers: admins see the URL they set; everyone sees that a secret is set, nobody sees it.
    expect(text("admin", "alert.receivers")).toContain(RECEIVER_URL_TOKEN);
    for (const caller of ["viewer", "operator", "admin"] as const)
      expect(text(caller, "alert.receivers"), caller).toContain('"hasSecret":true');
  });

  it("the audit log: no password in any row; viewers read no webhook token or live id in it", async () => {
    const rows = JSON.stringify(await db.auditEntry.findMany());
    for (const value of [FRONTEND_PASSWORD, STORE_PASSWORD, MANAGER_PASSWORD, RECEIVER_SECRET, RECEIVER_URL_TOKEN])
      expect(rows).not.toContain(value);
    expect(rows).toContain(WEBHOOK_TOKEN); // kept for admins and operators (rollout.start's settings)
    const viewer = await callRest(db, "GET", "/audit?limit=500", undefined, callerHeaders({ token: tokens.viewer }));
    expect(viewer.status).toBe(200);
    expectNoLeak("viewer", "audit.list", viewer);
    // Refused calls are in the log too, as denied.
    expect(await db.auditEntry.count({ where: { action: "auth.refused", result: "denied" } })).toBeGreaterThan(0);
  });
});
