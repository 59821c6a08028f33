/**
 * The normalized vocabulary every frontend kind is mapped onto (each adapter's normalize.ts maps its
 * kind's own flags). Admin state is what an operator set; health is what the frontend itself observes.
 */
export const ADMIN_STATES = ["active", "draining", "disabled", "stopped", "standby"] as const;
export type TAdminState = (typeof ADMIN_STATES)[number];

/**
 * - healthy: the frontend would route to it (usable).
 * - failing: the frontend saw it fail and will not route to it until it is retried.
 * - recovering: in error, but marked to be probed / retried by the next request (mod_jk ERR/REC etc.).
 * - unknown: the frontend gives no usable health reading (e.g. a balancer-manager "???" worker).
 */
export const HEALTHS = ["healthy", "failing", "recovering", "unknown"] as const;
export type THealth = (typeof HEALTHS)[number];

/** A stored intended state (a string column) as the domain's type; anything unknown reads as "active". */
export function asAdminState(value: string): TAdminState {
  return (ADMIN_STATES as readonly string[]).includes(value) ? (value as TAdminState) : "active";
}
