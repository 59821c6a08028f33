import type { TDb } from "@/server/db";
import { isRole, roleAtLeast, type TRole } from "@/server/auth/roles";
import { randomSecret, sha256 } from "@/server/auth/secrets";
import type { TPrincipal } from "@/server/auth/principal";
import { AppError } from "@/server/errors";

export const TOKEN_PREFIX = "cdk_";

/** Creates a token; the secret is returned once and only its hash is kept. */
export async function createApiToken(db: TDb, owner: TPrincipal, name: string, role: TRole) {
  if (!roleAtLeast(owner.role, role))
    throw new AppError("FORBIDDEN", `A ${owner.role} cannot create a token with the ${role} role`);
  const secret = randomSecret(TOKEN_PREFIX);
  const row = await db.apiToken.create({
    data: { name, role, prefix: secret.slice(0, 10), tokenHash: sha256(secret), userId: owner.userId },
  });
  return { id: row.id, name: row.name, role: row.role, prefix: row.prefix, createdAt: row.createdAt, token: secret };
}

/**
 * A token's effective role is the lower of its own scope and its owner's current role, so demoting or
 * disabling a user also limits the tokens they made.
 */
export async function resolveApiToken(db: TDb, secret: string): Promise<TPrincipal | null> {
  const row = await db.apiToken.findUnique({ where: { tokenHash: sha256(secret) }, include: { user: true } });
  if (!row || row.revokedAt || row.user.disabled || !isRole(row.role) || !isRole(row.user.role)) return null;
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

export async function listApiTokens(db: TDb, viewer: TPrincipal) {
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
  }));
}

export async function revokeApiToken(db: TDb, actor: TPrincipal, id: number) {
  const row = await db.apiToken.findUnique({ where: { id } });
  if (!row || (actor.role !== "admin" && row.userId !== actor.userId))
    throw new AppError("NOT_FOUND", `No token with id ${id}`);
  if (row.revokedAt) return row;
  return db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
}
