import type { TDb } from "@/server/db";
import { logger } from "@/server/logger";
import { purgeExpiredSessions } from "@/server/auth/sessions";
import { purgeLoginThrottle } from "@/server/auth/login-throttle";

const PURGE_EVERY_MS = 10 * 60 * 1000;

/** Expired browser sessions and finished sign-in windows are deleted at start and every 10 minutes. */
export function startSessionPurge(db: TDb): void {
  const purge = async () => {
    try {
      const sessions = await purgeExpiredSessions(db);
      const throttles = await purgeLoginThrottle(db);
      if (sessions + throttles > 0) logger.info({ sessions, throttles }, "expired sessions purged");
    } catch (err) {
      logger.warn({ err: String(err) }, "session purge failed; retried at the next interval");
    }
  };
  void purge();
  setInterval(() => void purge(), PURGE_EVERY_MS).unref();
}
