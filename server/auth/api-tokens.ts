import type { z } from "zod";
import type { ZApiTokenRecord } from "@/server/auth/auth-schema";
import type { TDb } from "@/server/db";
import { isRole, roleAtLeast, type TRole } from "@/server/auth/roles";
import { randomSecret, sha256 } from "@/server/auth/secrets";
import type { TPrincipal } from "@/server/auth/principal";
import { AppError } from "@/server/errors";
import { auditedChange, type TWho } from "@/server/services/audit/audit";

export const TOKEN_PREFIX = "cdk_";

/**
 * Creates a token; the secret is returned once and only its hash is kept. `expiresInDays` (optional)
 * ends it by itself.
 */
export async function createApiToken(
  db: TDb,
  owner: TPrincipal,
  name: string,
  role: TRole,
  expiresInDays?: number | null,
) {
  if (!roleAtLeast(owner.role, role))
    throw new AppError("FORBIDDEN", `A ${owner.role} cannot create a token with the ${role} role`);
  const secret = randomSecret(TOKEN_PREFIX);
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  const row = await db.apiToken.create({
    data: { name, role, prefix: secret.slice(0, 10), tokenHash: sha256(secret), userId: owner.userId, expiresAt },
  });
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    token: secret,
  };
}

/** The token procedure's service: creates and audits (the audit keeps the prefix, never the secret). */
export async function issueApiToken(
  db: TDb,
  owner: TPrincipal,
  input: { name: string; role: TRole; expiresInDays?: number | null },
  who: TWho,
) {
  return auditedChange(
    db,
    who,
    {
      action: "token.create",
      target: `token:${input.name}`,
      details: { role: input.role, expiresInDays: input.expiresInDays ?? null },
      after: (t) => ({ id: t.id, role: t.role, prefix: t.prefix, expiresAt: t.expiresAt }),
    },
    () => createApiToken(db, owner, input.name, input.role, input.expiresInDays),
  );
}

/**
 * A token's effective role is the lower of its own scope and its owner's current role, so demoting or
 * disabling a user also limits (or stops) the tokens they made. Expired and revoked tokens are nobody.
 */
export async function resolveApiToken(db: TDb, secret: string): Promise<TPrincipal | null> {
  if (!/^cdk_[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: sha256(secret) }, include: { user: true } });
  if (!row || row.revokedAt || row.user.disabled || !isRole(row.role) || !isRole(row.user.role)) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return null;
  const role = roleAtLeast(row.user.role, row.role) ? row.role : row.user.role;
  await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return {
    userId: row.userId,
    username: row.user.username,
    role,
    via: "token",
    csrfToken: null,
    tokenId: row.id,
    tokenName: row.name,
  };
}

export async function listApiTokens(db: TDb, viewer: TPrincipal): Promise<Array<z.infer<typeof ZApiTokenRecord>>> {
  const rows = await db.apiToken.findMany({
    where: viewer.role === "admin" ? {} : { userId: viewer.userId },
    include: { user: { select: { username: true } } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    role: r.role,
    owner: r.user.username,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
    expiresAt: r.expiresAt,
    expired: r.expiresAt !== null && r.expiresAt.getTime() <= Date.now(),
  }));
}

export async function revokeApiToken(db: TDb, actor: TPrincipal, id: number) {
  const row = await db.apiToken.findUnique({ where: { id } });
  if (!row || (actor.role !== "admin" && row.userId !== actor.userId))
    throw new AppError("NOT_FOUND", `No token with id ${id}`);
  if (row.revokedAt) return row;
  return db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
}

/** The token procedure's service: revokes and audits. */
export async function revokeApiTokenAudited(db: TDb, actor: TPrincipal, id: number, who: TWho) {
  const row = await db.apiToken.findUnique({ where: { id } });
  return auditedChange(
    db,
    who,
    { action: "token.revoke", target: row ? `token:${row.name}` : null, details: { id } },
    async () => {
      const r = await revokeApiToken(db, actor, id);
      return { id: r.id, revokedAt: r.revokedAt };
    },
  );
}
