/**
 * Settings that make the console run a program, read or write a file, or send requests and
 * credentials to an address are the admin's to set or change: whoever sets them acts as the console's
 * own OS user, or chooses where its secrets go. Each owner declares its settings as a list
 * (TPrivilegedSetting[]: nginx's commands and include file in its adapter, a rollout's deploy command
 * and webhook in the rollout schema, a frontend's address while its password is kept in the inventory
 * service); privilegedChanges() is the one rule that says which of them a change touches, and the
 * services refuse those changes to anyone but an admin (server/services/audit/privileged.ts).
 */
export const PRIVILEGE_EFFECTS = {
  program: "runs a program on the console's host",
  file: "reads and writes a file on the console's host",
  send: "sends requests, and credentials, to an address",
} as const;
export type TPrivilegeEffect = keyof typeof PRIVILEGE_EFFECTS;

export interface TPrivilegedSetting {
  /** Where the setting sits in the object that is created or changed (e.g. ["options", "testCommand"]). */
  path: readonly string[];
  /** As an operator knows it: "nginx test command". */
  label: string;
  effect: TPrivilegeEffect;
}

function at(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const p of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** Order-insensitive for object keys, order-sensitive for arrays (argv order matters). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    sameValue(ka, kb) &&
    ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);

/**
 * The settings of `settings` that a change sets or alters. `before` is the stored object (null when it
 * is being created); in `after`, a setting left out (undefined) stays as it is, and so is not a change.
 * Removing a setting counts too: turning a safety command off is as much a decision as setting one.
 */
export function privilegedChanges(
  settings: readonly TPrivilegedSetting[],
  before: unknown,
  after: unknown,
): TPrivilegedSetting[] {
  return settings.filter((s) => {
    const next = at(after, s.path);
    if (next === undefined) return false;
    const prev = before === null ? undefined : at(before, s.path);
    if (isEmpty(prev) && isEmpty(next)) return false;
    return !sameValue(prev, next);
  });
}

/** The refusal an operator reads: which settings, and why they are the admin's. */
export function describePrivilegedRefusal(changes: readonly TPrivilegedSetting[]): string {
  const list = changes.map((c) => `${c.label} (${PRIVILEGE_EFFECTS[c.effect]})`).join("; ");
  return `Only an admin may set or change: ${list}. Leave these settings as they are, or ask an admin.`;
}
