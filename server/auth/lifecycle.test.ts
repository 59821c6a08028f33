/**
 * User lifecycle and sign-in, through the real HTTP handlers and the live router (SQLite, no lab):
 * disabling a user ends their live stream at the next push and their cookie and token at once; a
 * password change ends the other sessions; demotion ends sessions; sign-in floods are refused (429)
 * before any hash is computed, with one audit entry per lock-out window.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCaller } from "@/server/api/root";
import { createRequestContext } from "@/server/api/trpc";
import { createTestDb } from "@/test-support/test-db";
import { callerHeaders, callRest, callTrpc } from "@/test-support/http-api";
import { createUser, ensureFirstAdmin, setUserDisabled, setUserRole } from "@/server/auth/users";
import { createApiToken } from "@/server/auth/api-tokens";
import { createSession } from "@/server/auth/sessions";
import { passwordHashCount } from "@/server/auth/secrets";
import { LOGIN_ATTEMPTS } from "@/server/auth/login-throttle";
import { emitEvent } from "@/server/poller/event-bus";
import type { TPrincipal } from "@/server/auth/principal";
import type { PrismaClient } from "@/generated/prisma/client";

const PASSWORD = "long-enough-password";

describe("user lifecycle", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let adminWho: { principal: TPrincipal; ip: string };
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    const admin = await createUser(db, "boss", PASSWORD, "admin");
    adminWho = {
      principal: {
        userId: admin.id,
        username: "boss",
        role: "admin",
        via: "token",
        csrfToken: null,
        tokenId: null,
        tokenName: null,
      },
      ip: "127.0.0.1",
    };
  });
  afterEach(() => cleanup());

  it("disabling a user ends their live stream at the next push; their cookie and token are 401 at once", async () => {
    const user = await createUser(db, "watcher", PASSWORD, "viewer");
    const session = await createSession(db, user.id, null);
    const cookie = `cd_session=${session.cookieValue}`;
    const token = (await createApiToken(db, { ...adminWho.principal, userId: user.id, role: "viewer" }, "t", "viewer"))
      .token;
    // The stream is opened with the cookie, as the browser opens it.
    const ctx = await createRequestContext(
      db,
      new Request("http://127.0.0.1/", { headers: callerHeaders({ cookie }) }),
    );
    const stream = (await createCaller(ctx).live.overview()) as AsyncIterable<unknown>;
    const it = stream[Symbol.asyncIterator]();
    // The stream listens for polls only while a push is awaited: ask for it, then let a poll happen.
    const afterPoll = async () => {
      const next = it.next();
      await new Promise((r) => setTimeout(r, 50));
      emitEvent("frontend-polled", { clusterId: 1, frontendId: 1, up: true, changed: null });
      return next;
    };
    expect((await it.next()).done).toBe(false); // the first push
    expect((await afterPoll()).done).toBe(false); // still allowed: a second push

    await setUserDisabled(db, user.id, true, adminWho);
    expect((await afterPoll()).done).toBe(true); // ended at the next push, nothing more sent

    expect((await callTrpc(db, "cluster.overview", "query", {}, callerHeaders({ cookie }))).status).toBe(401);
    expect((await callRest(db, "GET", "/clusters", undefined, callerHeaders({ token }))).status).toBe(401);
    expect(await db.userSession.count({ where: { userId: user.id } })).toBe(0);
    // Enabled again: the token works again (it was stopped, not revoked); the cookie session is gone for good.
    await setUserDisabled(db, user.id, false, adminWho);
    expect((await callRest(db, "GET", "/clusters", undefined, callerHeaders({ token }))).status).toBe(200);
    expect((await callTrpc(db, "cluster.overview", "query", {}, callerHeaders({ cookie }))).status).toBe(401);
    const actions = (await db.auditEntry.findMany({ where: { target: "user:watcher" } })).map((e) => e.action);
    expect(actions).toEqual(["user.disable", "user.enable"]);
  });

  it("a password change ends the user's other sessions and keeps the one that made it", async () => {
    const user = await createUser(db, "op", PASSWORD, "operator");
    const here = await createSession(db, user.id, null);
    const elsewhere = await createSession(db, user.id, null);
    const headers = callerHeaders({ cookie: `cd_session=${here.cookieValue}`, csrf: here.csrfToken });
    const wrong = await callTrpc(
      db,
      "auth.changePassword",
      "mutation",
      { currentPassword: "not-it-at-all", newPassword: "another-long-password" },
      headers,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("The current password is wrong");
    const ok = await callTrpc(
      db,
      "auth.changePassword",
      "mutation",
      { currentPassword: PASSWORD, newPassword: "another-long-password" },
      headers,
    );
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('"endedSessions":1');
    const other = callerHeaders({ cookie: `cd_session=${elsewhere.cookieValue}` });
    expect((await callTrpc(db, "cluster.overview", "query", {}, other)).status).toBe(401);
    expect((await callTrpc(db, "cluster.overview", "query", {}, headers)).status).toBe(200);
    // The new password signs in; the old one does not.
    const login = (password: string) =>
      callTrpc(db, "auth.login", "mutation", { username: "op", password }, callerHeaders());
    expect((await login(PASSWORD)).status).toBe(401);
    expect((await login("another-long-password")).status).toBe(200);
    expect(await db.auditEntry.count({ where: { action: "user.changePassword", result: "ok" } })).toBe(1);
    expect(await db.auditEntry.count({ where: { action: "user.changePassword", result: "failed" } })).toBe(1);
  });

  it("the generated first-admin password is flagged until its owner changes it, then signs in no more", async () => {
    const fresh = await createTestDb();
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await ensureFirstAdmin(fresh.db, "first", undefined);
      const line = printed.mock.calls.map((c) => String(c[0])).find((l) => l.includes('admin user "first"'));
      const generated = /with password (\S+) /.exec(line ?? "")?.[1];
      expect(generated).toBeDefined();
      const login = (password: string) =>
        callTrpc(fresh.db, "auth.login", "mutation", { username: "first", password }, callerHeaders());
      expect((await login(generated!)).status).toBe(200);
      const admin = await fresh.db.user.findUniqueOrThrow({ where: { username: "first" } });
      const session = await createSession(fresh.db, admin.id, null);
      const headers = callerHeaders({ cookie: `cd_session=${session.cookieValue}`, csrf: session.csrfToken });
      // auth.me is what the page header reads to show "change the generated password".
      expect((await callTrpc(fresh.db, "auth.me", "query", undefined, headers)).text).toContain(
        '"passwordGenerated":true',
      );
      const changed = await callTrpc(
        fresh.db,
        "auth.changePassword",
        "mutation",
        { currentPassword: generated!, newPassword: "chosen-by-the-admin" },
        headers,
      );
      expect(changed.status, changed.text).toBe(200);
      expect((await callTrpc(fresh.db, "auth.me", "query", undefined, headers)).text).toContain(
        '"passwordGenerated":false',
      );
      expect((await login(generated!)).status).toBe(401);
      expect((await login("chosen-by-the-admin")).status).toBe(200);
    } finally {
      printed.mockRestore();
      await fresh.cleanup();
    }
  });

  it("lowering a role ends the user's sessions; the last enabled admin cannot be demoted or disabled", async () => {
    const user = await createUser(db, "op", PASSWORD, "operator");
    await createSession(db, user.id, null);
    await setUserRole(db, user.id, "admin", adminWho); // raising keeps sessions
    expect(await db.userSession.count({ where: { userId: user.id } })).toBe(1);
    await setUserRole(db, user.id, "viewer", adminWho);
    expect(await db.userSession.count({ where: { userId: user.id } })).toBe(0);
    const bossId = adminWho.principal.userId;
    await expect(setUserRole(db, bossId, "operator", adminWho)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(setUserDisabled(db, bossId, true, adminWho)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await db.user.findUniqueOrThrow({ where: { id: bossId } })).role).toBe("admin");
  });
});

describe("sign-in throttling", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    await createUser(db, "boss", PASSWORD, "admin");
  });
  afterEach(() => cleanup());

  const login = (username: string, password: string, ip: string) => {
    const headers = callerHeaders();
    headers.set("x-clusterdeck-peer", ip);
    return callTrpc(db, "auth.login", "mutation", { username, password }, headers);
  };

  it("the 11th attempt for a user in the window is 429 without computing a hash, even with the right password", async () => {
    for (let i = 0; i < LOGIN_ATTEMPTS; i++) {
      // Each from another address: the user name's own count is what stops them.
      expect((await login("boss", `wrong-${i}`, `10.0.0.${i + 1}`)).status).toBe(401);
    }
    const hashes = passwordHashCount();
    const refused = await login("boss", PASSWORD, "10.0.1.1");
    expect(refused.status).toBe(429);
    expect(refused.text).toMatch(/Too many sign-in attempts for this user: try again in \d+ minute/);
    expect(refused.text).toContain('"appCode":"TOO_MANY_REQUESTS"');
    expect(passwordHashCount()).toBe(hashes);
    expect((await login("boss", PASSWORD, "10.0.1.2")).status).toBe(429);
    expect(passwordHashCount()).toBe(hashes);
    // One audit entry for the lock-out, however many attempts it refused.
    expect(await db.auditEntry.count({ where: { action: "auth.lockedOut" } })).toBe(1);
    expect(await db.auditEntry.count({ where: { action: "auth.loginFailed" } })).toBe(LOGIN_ATTEMPTS);
    // The next window starts over.
    await db.loginThrottle.updateMany({ data: { windowStart: new Date(Date.now() - 6 * 60_000) } });
    expect((await login("boss", PASSWORD, "10.0.1.3")).status).toBe(200);
  });

  it("one client trying many user names is stopped after the limit, before any hash", async () => {
    for (let i = 0; i < LOGIN_ATTEMPTS; i++) expect((await login(`guess-${i}`, "x", "10.9.9.9")).status).toBe(401);
    const hashes = passwordHashCount();
    const refused = await login("boss", PASSWORD, "10.9.9.9");
    expect(refused.status).toBe(429);
    expect(refused.text).toContain("from this address");
    expect(passwordHashCount()).toBe(hashes);
    // Another address is not affected.
    expect((await login("boss", PASSWORD, "10.9.9.10")).status).toBe(200);
    // Successful sign-ins do not add up: one address signs in as often as it needs.
    for (let i = 0; i < LOGIN_ATTEMPTS + 5; i++) expect((await login("boss", PASSWORD, "10.9.9.11")).status).toBe(200);
    // A row per address, not per made-up name, once the address is locked out.
    expect(await db.loginThrottle.count({ where: { key: { startsWith: "user:guess" } } })).toBe(LOGIN_ATTEMPTS);
  });
});
