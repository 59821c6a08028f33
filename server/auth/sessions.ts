import type { TDb } from "@/server/db";
import { isRole } from "@/server/auth/roles";
import { randomSecret, sha256 } from "@/server/auth/secrets";
import type { TPrincipal } from "@/server/auth/principal";

export const SESSION_COOKIE = "cd_session";
export const CSRF_COOKIE = "cd_csrf";
export const CSRF_HEADER = "x-csrf-token";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export async function createSession(
  db: TDb,
  userId: number,
  ip: string | null,
): Promise<{ cookieValue: string; csrfToken: string; expiresAt: Date }> {
  const cookieValue = randomSecret("cds_");
  const csrfToken = randomSecret("csrf_");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.userSession.create({ data: { id: sha256(cookieValue), userId, csrfToken, expiresAt, ip } });
  return { cookieValue, csrfToken, expiresAt };
}

/** Cookie values this console issues: "cds_" and 43 base64url characters. Anything else is nobody. */
const COOKIE_VALUE = /^cds_[A-Za-z0-9_-]{43}$/;

export async function resolveSession(db: TDb, cookieValue: string): Promise<TPrincipal | null> {
  if (!COOKIE_VALUE.test(cookieValue)) return null;
  const session = await db.userSession.findUnique({ where: { id: sha256(cookieValue) }, include: { user: true } });
  if (!session || session.expiresAt.getTime() < Date.now() || session.user.disabled || !isRole(session.user.role))
    return null;
  return {
    userId: session.user.id,
    username: session.user.username,
    role: session.user.role,
    via: "cookie",
    csrfToken: session.csrfToken,
    tokenId: null,
    tokenName: null,
  };
}

export async function deleteSession(db: TDb, cookieValue: string): Promise<void> {
  await db.userSession.deleteMany({ where: { id: sha256(cookieValue) } });
}

/** Set-Cookie values. Secure only over https: the lab and a loopback console are plain http. */
export function sessionCookies(
  s: { cookieValue: string; csrfToken: string; expiresAt: Date },
  secure: boolean,
): string[] {
  const common = `Path=/; SameSite=Strict; Expires=${s.expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
  return [
    `${SESSION_COOKIE}=${s.cookieValue}; HttpOnly; ${common}`,
    // Readable by the page's script, which echoes it in x-csrf-token (double submit, bound to the session).
    `${CSRF_COOKIE}=${s.csrfToken}; ${common}`,
  ];
}

export function clearedCookies(secure: boolean): string[] {
  const tail = `Path=/; SameSite=Strict; Expires=Thu, 01 Jan 1970 00:00:00 GMT${secure ? "; Secure" : ""}`;
  return [`${SESSION_COOKIE}=; HttpOnly; ${tail}`, `${CSRF_COOKIE}=; ${tail}`];
}

/** Sessions past their expiry (and sign-in counts whose window is over) are deleted by a periodic purge. */
export async function purgeExpiredSessions(db: TDb, now = new Date()): Promise<number> {
  const r = await db.userSession.deleteMany({ where: { expiresAt: { lt: now } } });
  return r.count;
}
