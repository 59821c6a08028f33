import { AppError } from "@/server/errors";
import { describePrivilegedRefusal, type TPrivilegedSetting } from "@/server/domain/privileged-settings";
import type { TWho } from "@/server/services/audit/audit";

/** An admin, or the console acting for itself (the inventory file it was started with). */
export function actsAsAdmin(who: TWho): boolean {
  return who.system !== undefined || who.principal?.role === "admin";
}

/**
 * Refuses a change that sets or alters admin-only settings (privileged-settings.ts) unless an admin
 * makes it: FORBIDDEN naming each setting and why. Called inside auditedChange, which records the
 * refusal as denied; nothing has been written when it throws.
 */
export function assertMaySetPrivileged(who: TWho, changes: readonly TPrivilegedSetting[]): void {
  if (changes.length === 0 || actsAsAdmin(who)) return;
  throw new AppError("FORBIDDEN", describePrivilegedRefusal(changes), { settings: changes.map((c) => c.label) });
}
