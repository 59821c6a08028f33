/** Roles in increasing power. Every mutation needs operator or admin; user and token admin needs admin. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type TRole = (typeof ROLES)[number];

export function isRole(value: string): value is TRole {
  return (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: TRole, needed: TRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
