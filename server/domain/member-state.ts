/**
 * The normalized vocabulary every frontend kind is mapped onto (each adapter's normalize.ts maps its
 * kind's own flags). Admin state is what an operator set; health is what the frontend itself observes.
 */
export const ADMIN_STATES = ["active", "draining", "disabled", "stopped", "standby"] as const;
export type TAdminState = (typeof ADMIN_STATES)[number];

/**
 * httpd's hot spare (Spar, 2.4.34+) is observed, not an admin state of its own: it normalizes to "standby"
 * (no normal traffic) with TObservedMember.hotSpare set. Adding a sixth admin state would ripple through every
 * kind's state maps, the verbs, drift, the guard rails, the REST enums and the stored intents for a state no
 * other kind has and ClusterDeck does not set (enable and the other verbs clear the R flag); the UI names it
 * with these words instead.
 */
export const HOT_SPARE_LABEL = "hot spare";
export const HOT_SPARE_MEANING =
  "httpd hot spare (Spar): takes no traffic of its own, and stands in one for one for each failed or draining " +
  "member of its lbset. A hot standby (Stby) instead takes traffic only once its whole lbset is unusable.";

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
