import type { PrismaClient } from "@/generated/prisma/client";
import type { TContext } from "@/server/api/trpc";
import type { TPrincipal } from "@/server/auth/principal";
import type { TRole } from "@/server/auth/roles";
import type { TWho } from "@/server/services/audit/audit";

/** Tests that set up an inventory act as the console itself (full rights, audited as "system (test setup)"). */
export const SETUP: TWho = { principal: null, ip: null, system: "test setup" };

/** A tRPC context for createCaller tests: a principal of the given role (or anonymous), via a token. */
export function testContext(db: PrismaClient, role: TRole | null, overrides: Partial<TContext> = {}): TContext {
  const principal: TPrincipal | null = role
    ? { userId: 1, username: `test-${role}`, role, via: "token", csrfToken: null, tokenId: 1, tokenName: "test" }
    : null;
  return {
    db,
    principal,
    ip: "127.0.0.1",
    csrfHeader: null,
    resHeaders: new Headers(),
    secure: false,
    sessionCookie: null,
    reauthenticate: () => Promise.resolve(principal),
    ...overrides,
  };
}
