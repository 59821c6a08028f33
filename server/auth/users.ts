import type { TDb } from "@/server/db";
import { hashPassword, randomSecret, verifyPassword } from "@/server/auth/secrets";
import type { TRole } from "@/server/auth/roles";
import { AppError } from "@/server/errors";
import { logger } from "@/server/logger";

/** Returns the user when the password matches (and the account is enabled), else null. Same cost either way. */
export async function checkPassword(db: TDb, username: string, password: string) {
  const user = await db.user.findUnique({ where: { username } });
  // Verify against a fixed hash when the user does not exist, so timing does not reveal which names exist.
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
  return ok && user && !user.disabled ? user : null;
}
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$ldTGitFo/Hst+lFbNIDccQ$AaWAYdmGVBJHuARcMxKtMOSvueD/m4Zv3XHRJco60W4";

export async function createUser(db: TDb, username: string, password: string, role: TRole) {
  try {
    const user = await db.user.create({ data: { username, role, passwordHash: await hashPassword(password) } });
    return {
      id: user.id,
      username: user.username,
      role: user.role,
      disabled: user.disabled,
      createdAt: user.createdAt,
    };
  } catch (err) {
    if ((err as { code?: string }).code === "P2002")
      throw new AppError("CONFLICT", `A user named "${username}" already exists`);
    throw err;
  }
}

/**
 * The first admin, on first start: from CLUSTERDECK_ADMIN_USER / CLUSTERDECK_ADMIN_PASSWORD, or with a
 * generated password printed once to the log. Does nothing once any user exists.
 */
export async function ensureFirstAdmin(db: TDb, username: string, password: string | undefined): Promise<void> {
  if ((await db.user.count()) > 0) return;
  const generated = password === undefined;
  const secret = password ?? randomSecret("").slice(0, 20);
  await createUser(db, username, secret, "admin");
  if (generated) {
    // Printed once, on stderr as well as the log, because there is no other way to learn it.
    const line = `ClusterDeck first start: created admin user "${username}" with password ${secret} (shown once; change it or set CLUSTERDECK_ADMIN_PASSWORD)`;
    console.error(line);
    logger.warn({ username }, "first admin created with a generated password (printed once on stderr)");
  } else {
    logger.info({ username }, "first admin created from CLUSTERDECK_ADMIN_PASSWORD");
  }
}
