import type { TRole } from "@/server/auth/roles";

/** Who is calling: a signed-in browser (cookie) or a script (bearer token). */
export interface TPrincipal {
  userId: number;
  username: string;
  role: TRole;
  via: "cookie" | "token";
  /** For cookie sessions: the CSRF token every mutation must echo in the x-csrf-token header. */
  csrfToken: string | null;
  /** For tokens: the token's id and name (audit shows "token:<name>"). */
  tokenId: number | null;
  tokenName: string | null;
}

export function actorName(p: TPrincipal | null): string {
  if (!p) return "anonymous";
  return p.via === "token" ? `${p.username} (token:${p.tokenName})` : p.username;
}
