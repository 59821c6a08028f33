import type { TDb } from "@/server/db";
import type { TPrincipal } from "@/server/auth/principal";
import { resolveSession, SESSION_COOKIE } from "@/server/auth/sessions";
import { resolveApiToken, TOKEN_PREFIX } from "@/server/auth/api-tokens";

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null; // a malformed cookie (bad %-escape) is no cookie: the caller is anonymous, not a 500
      }
    }
  }
  return null;
}

/**
 * The caller of one request: "Authorization: Bearer cdk_…" (scripts) wins over the session cookie
 * (browsers). A bearer header that is present but wrong is an anonymous caller (401), never a fallback
 * to the cookie: a script must learn that its token is bad.
 */
export async function authenticate(db: TDb, headers: Headers): Promise<TPrincipal | null> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m || !m[1]!.startsWith(TOKEN_PREFIX)) return null;
    return resolveApiToken(db, m[1]!);
  }
  const cookie = readCookie(headers.get("cookie"), SESSION_COOKIE);
  return cookie ? resolveSession(db, cookie) : null;
}

/** The client address as Next's server saw it (it sets x-forwarded-for from the socket). */
export function clientIp(headers: Headers): string | null {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || null;
}
