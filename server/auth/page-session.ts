import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/server/db";
import { resolveSession, SESSION_COOKIE } from "@/server/auth/sessions";
import type { TPrincipal } from "@/server/auth/principal";
import { roleAtLeast, type TRole } from "@/server/auth/roles";

/** For server components: the signed-in user of this page request, or a redirect to /login. */
export async function requireSignedIn(path: string, role: TRole = "viewer"): Promise<TPrincipal> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  const principal = value ? await resolveSession(getDb(), value) : null;
  if (!principal) redirect(`/login?next=${encodeURIComponent(path)}`);
  if (!roleAtLeast(principal.role, role)) redirect("/?forbidden=1");
  return principal;
}

export async function currentPrincipal(): Promise<TPrincipal | null> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  return value ? resolveSession(getDb(), value) : null;
}
