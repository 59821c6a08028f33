import type { TDb } from "@/server/db";
import { verifyPassword } from "@/server/auth/secrets";
import { isRole, type TRole } from "@/server/auth/roles";
import { countSignInAttempt, settleSuccessfulSignIn } from "@/server/auth/login-throttle";
import { createSession, deleteSession } from "@/server/auth/sessions";
import type { TPrincipal } from "@/server/auth/principal";
import { AppError } from "@/server/errors";
import { recordAudit, type TWho } from "@/server/services/audit/audit";

// Verified when the user does not exist, so timing does not tell which names exist.
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$ldTGitFo/Hst+lFbNIDccQ$AaWAYdmGVBJHuARcMxKtMOSvueD/m4Zv3XHRJco60W4";

/**
 * Signs a person in: throttled (login-throttle.ts), then one password check whether the user exists or
 * not, then a new cookie session. Every outcome is audited: ok, a wrong password (denied), a lock-out
 * (once per window).
 */
export async function signIn(
  db: TDb,
  input: { username: string; password: string },
  who: TWho,
): Promise<{ username: string; role: TRole; session: Awaited<ReturnType<typeof createSession>> }> {
  await countSignInAttempt(db, input.username, who);
  const user = await db.user.findUnique({ where: { username: input.username } });
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
  if (!ok || !user || user.disabled || !isRole(user.role)) {
    await recordAudit(db, {
      principal: null,
      actor: input.username,
      ip: who.ip,
      action: "auth.loginFailed",
      result: "denied",
    });
    throw new AppError("UNAUTHENTICATED", "Wrong user name or password");
  }
  await settleSuccessfulSignIn(db, user.username, who);
  const session = await createSession(db, user.id, who.ip);
  await recordAudit(db, {
    principal: null,
    actor: user.username,
    ip: who.ip,
    action: "auth.login",
    result: "ok",
    details: { role: user.role },
  });
  return { username: user.username, role: user.role, session };
}

/** Ends this browser's session (audited when it belonged to someone). */
export async function signOut(db: TDb, principal: TPrincipal | null, sessionCookie: string | null, who: TWho) {
  if (sessionCookie) await deleteSession(db, sessionCookie);
  if (principal?.via === "cookie") {
    await recordAudit(db, { principal, ip: who.ip, action: "auth.logout", result: "ok" });
  }
}
