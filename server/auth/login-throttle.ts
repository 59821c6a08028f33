import type { TDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { recordAudit, type TWho } from "@/server/services/audit/audit";

/**
 * Sign-in attempts are limited per user name and per client address: LOGIN_ATTEMPTS failures in
 * LOGIN_WINDOW_MS. An attempt is counted before the password is checked, so the one past the limit is
 * refused without computing a hash, even with the right password; a successful one is given back
 * (settleSuccessfulSignIn). Counts live in the database (LoginThrottle), shared by every console instance.
 */
export const LOGIN_ATTEMPTS = 10;
export const LOGIN_WINDOW_MS = 5 * 60 * 1000;

const userKey = (username: string) => `user:${username.toLowerCase()}`;
const clientKey = (ip: string) => `ip:${ip}`;

/** Adds one attempt to `key` (a new window when the last one is over) and returns the count in the window. */
async function count(db: TDb, key: string, now: Date): Promise<{ attempts: number; windowStart: Date }> {
  await db.loginThrottle.updateMany({
    where: { key, windowStart: { lt: new Date(now.getTime() - LOGIN_WINDOW_MS) } },
    data: { windowStart: now, attempts: 0, lockAuditedAt: null },
  });
  return db.loginThrottle.upsert({
    where: { key },
    create: { key, windowStart: now, attempts: 1 },
    update: { attempts: { increment: 1 } },
    select: { attempts: true, windowStart: true },
  });
}

/**
 * Counts one sign-in attempt for the user name and the caller's address; throws TOO_MANY_REQUESTS (HTTP 429)
 * when either is past the limit. The lock-out is audited once per window, not once per refused attempt.
 */
export async function countSignInAttempt(db: TDb, username: string, who: TWho): Promise<void> {
  const now = new Date();
  // The client first: a flood of made-up names from one address stops there, without a row per name.
  for (const key of [who.ip ? clientKey(who.ip) : null, userKey(username)]) {
    if (!key) continue;
    const { attempts, windowStart } = await count(db, key, now);
    if (attempts <= LOGIN_ATTEMPTS) continue;
    const first = await db.loginThrottle.updateMany({
      where: { key, lockAuditedAt: null },
      data: { lockAuditedAt: now },
    });
    if (first.count === 1) {
      await recordAudit(db, {
        principal: null,
        actor: username,
        ip: who.ip,
        action: "auth.lockedOut",
        result: "denied",
        details: { [key.startsWith("ip:") ? "client" : "user"]: key.slice(key.indexOf(":") + 1), attempts },
      });
    }
    const minutes = Math.max(1, Math.ceil((windowStart.getTime() + LOGIN_WINDOW_MS - now.getTime()) / 60_000));
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `Too many sign-in attempts ${key.startsWith("ip:") ? "from this address" : "for this user"}: try again in ${minutes} minute(s)`,
      { retryAfterSeconds: minutes * 60 },
    );
  }
}

/**
 * A successful sign-in is not a failure to count: the user name's count is cleared, and the address
 * gets its attempt back (a team behind one address signs in all day; only failures add up there).
 */
export async function settleSuccessfulSignIn(db: TDb, username: string, who: TWho): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key: userKey(username) } });
  if (who.ip)
    await db.loginThrottle.updateMany({
      where: { key: clientKey(who.ip), attempts: { gt: 0 } },
      data: { attempts: { decrement: 1 } },
    });
}

/** Windows that are over: dropped by the periodic purge. */
export async function purgeLoginThrottle(db: TDb, now = new Date()): Promise<number> {
  const r = await db.loginThrottle.deleteMany({
    where: { windowStart: { lt: new Date(now.getTime() - LOGIN_WINDOW_MS) } },
  });
  return r.count;
}
