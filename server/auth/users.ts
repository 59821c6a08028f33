import { z } from "zod";
import type { TDb } from "@/server/db";
import { hashPassword, randomSecret, sha256, verifyPassword } from "@/server/auth/secrets";
import { ROLES, roleAtLeast, type TRole } from "@/server/auth/roles";
import type { ZUserRecord } from "@/server/auth/auth-schema";
import type { TPrincipal } from "@/server/auth/principal";
import { AppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { auditedChange, type TWho } from "@/server/services/audit/audit";
import { countSignInAttempt, settleSuccessfulSignIn } from "@/server/auth/login-throttle";

export const ZUsername = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, "letters, digits and . _ @ - only");
export const ZNewPassword = z.string().min(10, "at least 10 characters").max(1024);

export type TUserSummary = z.infer<typeof ZUserRecord>;

const SUMMARY = {
  id: true,
  username: true,
  role: true,
  disabled: true,
  createdAt: true,
  passwordChangedAt: true,
  passwordGenerated: true,
} as const;
const summary = (u: TUserSummary): TUserSummary => u;

/** Inserts a user (no audit: the first admin at start, and tests). People are added with createUserAccount. */
export async function createUser(
  db: TDb,
  username: string,
  password: string,
  role: TRole,
  opts: { generated?: boolean } = {},
): Promise<TUserSummary> {
  try {
    const user = await db.user.create({
      data: {
        username,
        role,
        passwordHash: await hashPassword(password),
        passwordChangedAt: new Date(),
        passwordGenerated: opts.generated ?? false,
      },
      select: SUMMARY,
    });
    return summary(user);
  } catch (err) {
    if ((err as { code?: string }).code === "P2002")
      throw new AppError("CONFLICT", `A user named "${username}" already exists`);
    throw err;
  }
}

/** The signed-in caller, for the page header (and whether the generated first password is still in use). */
export async function describeMe(db: TDb, p: TPrincipal | null) {
  if (!p) return null;
  const user = await db.user.findUnique({ where: { id: p.userId }, select: { passwordGenerated: true } });
  return { username: p.username, role: p.role, via: p.via, passwordGenerated: user?.passwordGenerated ?? false };
}

export async function listUsers(db: TDb): Promise<TUserSummary[]> {
  return (await db.user.findMany({ orderBy: { username: "asc" }, select: SUMMARY })).map(summary);
}

export async function createUserAccount(
  db: TDb,
  input: { username: string; password: string; role: TRole },
  who: TWho,
): Promise<TUserSummary> {
  return auditedChange(
    db,
    who,
    { action: "user.create", target: `user:${input.username}`, details: { role: input.role } },
    () => createUser(db, input.username, input.password, input.role),
  );
}

async function requireUser(db: TDb, id: number) {
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw new AppError("NOT_FOUND", `No user with id ${id}`);
  return user;
}

/** Cookie sessions end at once (the next request is 401); `except` keeps the caller's own session. */
async function endSessions(db: TDb, userId: number, except?: string | null): Promise<number> {
  const r = await db.userSession.deleteMany({
    where: { userId, ...(except ? { NOT: { id: sha256(except) } } : {}) },
  });
  return r.count;
}

/** The console must keep one enabled admin: the last one cannot be disabled or lose the role. */
async function assertAnotherAdmin(db: TDb, userId: number, what: string): Promise<void> {
  const others = await db.user.count({ where: { role: "admin", disabled: false, NOT: { id: userId } } });
  if (others === 0)
    throw new AppError("CONFLICT", `Cannot ${what}: it is the last enabled admin. Make another user admin first.`);
}

/** Lowering a role ends the user's sessions (their pages were built for the old role); tokens follow the owner's role. */
export async function setUserRole(db: TDb, id: number, role: TRole, who: TWho): Promise<TUserSummary> {
  const user = await requireUser(db, id);
  return auditedChange(
    db,
    who,
    { action: "user.setRole", target: `user:${user.username}`, before: { role: user.role }, after: () => ({ role }) },
    async () => {
      if (user.role === "admin" && role !== "admin") await assertAnotherAdmin(db, id, `demote ${user.username}`);
      const updated = await db.user.update({ where: { id }, data: { role }, select: SUMMARY });
      const lowered = ROLES.includes(user.role as TRole) && !roleAtLeast(role, user.role as TRole);
      if (lowered) await endSessions(db, id);
      return summary(updated);
    },
  );
}

/** Disabling ends the user's sessions at once and stops their API tokens (they resolve to nobody). */
export async function setUserDisabled(db: TDb, id: number, disabled: boolean, who: TWho): Promise<TUserSummary> {
  const user = await requireUser(db, id);
  return auditedChange(
    db,
    who,
    {
      action: disabled ? "user.disable" : "user.enable",
      target: `user:${user.username}`,
      before: { disabled: user.disabled },
      after: () => ({ disabled }),
    },
    async () => {
      if (disabled && user.role === "admin") await assertAnotherAdmin(db, id, `disable ${user.username}`);
      const updated = await db.user.update({ where: { id }, data: { disabled }, select: SUMMARY });
      if (disabled) await endSessions(db, id);
      return summary(updated);
    },
  );
}

/** An admin sets someone's password: every session of that user ends (whoever had it must sign in again). */
export async function setUserPassword(db: TDb, id: number, password: string, who: TWho): Promise<TUserSummary> {
  const user = await requireUser(db, id);
  return auditedChange(db, who, { action: "user.setPassword", target: `user:${user.username}` }, async () => {
    const updated = await db.user.update({
      where: { id },
      data: { passwordHash: await hashPassword(password), passwordChangedAt: new Date(), passwordGenerated: false },
      select: SUMMARY,
    });
    const ended = await endSessions(db, id);
    logger.info({ user: user.username, ended }, "password set by an admin; sessions ended");
    return summary(updated);
  });
}

/**
 * Everyone changes their own password, giving the current one (counted like a sign-in attempt, so it
 * cannot be guessed here instead). The caller's own browser session stays; every other one ends.
 */
export async function changeOwnPassword(
  db: TDb,
  principal: TPrincipal,
  input: { currentPassword: string; newPassword: string },
  who: TWho,
  currentSessionCookie: string | null,
): Promise<{ endedSessions: number }> {
  return auditedChange(db, who, { action: "user.changePassword", target: `user:${principal.username}` }, async () => {
    const user = await requireUser(db, principal.userId);
    await countSignInAttempt(db, user.username, who);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword)))
      throw new AppError("INVALID_INPUT", "The current password is wrong", { field: "currentPassword" });
    await settleSuccessfulSignIn(db, user.username, who);
    if (input.currentPassword === input.newPassword)
      throw new AppError("INVALID_INPUT", "The new password is the same as the current one", { field: "newPassword" });
    await db.user.update({
      where: { id: user.id },
      data: {
        passwordHash: await hashPassword(input.newPassword),
        passwordChangedAt: new Date(),
        passwordGenerated: false,
      },
    });
    return { endedSessions: await endSessions(db, user.id, principal.via === "cookie" ? currentSessionCookie : null) };
  });
}

/**
 * The first admin, on first start: from CLUSTERDECK_ADMIN_USER / CLUSTERDECK_ADMIN_PASSWORD, or with a
 * generated password printed once to the log. Does nothing once any user exists.
 */
export async function ensureFirstAdmin(db: TDb, username: string, password: string | undefined): Promise<void> {
  if ((await db.user.count()) > 0) return;
  const generated = password === undefined;
  const secret = password ?? randomSecret("").slice(0, 20);
  await createUser(db, username, secret, "admin", { generated });
  if (generated) {
    // Printed once, on stderr as well as the log, because there is no other way to learn it.
    const line = `ClusterDeck first start: created admin user "${username}" with password ${secret} (shown once; change it or set CLUSTERDECK_ADMIN_PASSWORD)`;
    console.error(line);
    logger.warn({ username }, "first admin created with a generated password (printed once on stderr)");
  } else {
    logger.info({ username }, "first admin created from CLUSTERDECK_ADMIN_PASSWORD");
  }
}
