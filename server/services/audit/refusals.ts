import type { TDb } from "@/server/db";
import type { TPrincipal } from "@/server/auth/principal";
import { logger } from "@/server/logger";
import { recordAudit } from "@/server/services/audit/audit";

/**
 * Refused requests (not signed in, role too low, missing CSRF token) are audited, but a script looping
 * on a 403 must not fill the log: at most MAX_PER_WINDOW entries per principal (a user, or the
 * address of an anonymous caller) per WINDOW_MS; the next entry after a quiet spell says how many were
 * left out. Counted in this process (a bound on the log's growth, not a security decision).
 */
const WINDOW_MS = 60_000;
const MAX_PER_WINDOW = 5;
const MAX_TRACKED = 10_000;

interface TWindow {
  start: number;
  recorded: number;
  suppressed: number;
}
const windows = new Map<string, TWindow>();

export async function auditRefusal(
  db: TDb,
  who: { principal: TPrincipal | null; ip: string | null },
  procedure: string,
  reason: string,
): Promise<void> {
  const key = who.principal ? `user:${who.principal.userId}:${who.principal.username}` : `ip:${who.ip ?? "unknown"}`;
  const now = Date.now();
  let w = windows.get(key);
  if (!w || now - w.start >= WINDOW_MS) {
    const suppressedBefore = w?.suppressed ?? 0;
    if (windows.size >= MAX_TRACKED) windows.clear();
    w = { start: now, recorded: 0, suppressed: 0 };
    windows.set(key, w);
    if (suppressedBefore > 0) w.suppressed = -suppressedBefore; // reported on the next entry
  }
  if (w.recorded >= MAX_PER_WINDOW) {
    w.suppressed = Math.max(0, w.suppressed) + 1;
    return;
  }
  w.recorded++;
  const leftOut = w.suppressed < 0 ? -w.suppressed : 0;
  if (w.suppressed < 0) w.suppressed = 0;
  try {
    await recordAudit(db, {
      principal: who.principal,
      ip: who.ip,
      action: "auth.refused",
      target: procedure,
      result: "denied",
      details: { reason, ...(leftOut > 0 ? { refusedButNotLogged: leftOut } : {}) },
    });
  } catch (err) {
    // The refusal stands either way; a failed audit write is logged, not answered.
    logger.warn({ err: String(err), procedure }, "could not audit a refused request");
  }
}
