import type { TAdminState, THealth } from "@/server/domain/member-state";

/** One frontend's reading of a member (null: that frontend does not list it). */
export interface TMemberReading {
  adminState: TAdminState;
  health: THealth;
  /** The frontend did not answer its last poll: the reading is its last good one. */
  stale: boolean;
}

/** States in which a frontend sends a member no traffic at all: an operator took it out there. */
const NO_TRAFFIC: ReadonlySet<TAdminState> = new Set(["stopped", "disabled"]);

function fresh(readings: ReadonlyArray<TMemberReading | null>): TMemberReading[] {
  return readings.filter((r): r is TMemberReading => r !== null && !r.stale);
}

/**
 * Whether the member takes new sessions from every frontend that answers and lists it: active there
 * and healthy. A member drained on one frontend, or failing on one, is not active (that frontend sends
 * it nothing new). Null when no frontend gave a fresh reading: nothing is known. This is the observed
 * side; the confirm dialogs' "members that stay active" counts intended states.
 */
export function isActiveMember(readings: ReadonlyArray<TMemberReading | null>): boolean | null {
  const known = fresh(readings);
  if (known.length === 0) return null;
  return known.every((r) => r.adminState === "active" && r.health === "healthy");
}

/**
 * A frontend sees the member fail: failing, or in error awaiting its retry (mod_jk's ERR/REC), while that
 * frontend would still send it traffic. Where an operator stopped or disabled it, a dead member is expected.
 */
export function isFailingReading(r: TMemberReading): boolean {
  return !r.stale && (r.health === "failing" || r.health === "recovering") && !NO_TRAFFIC.has(r.adminState);
}

/** Active on some answering frontends and taken out (stopped or disabled) on others. */
export function isSplitMember(readings: ReadonlyArray<TMemberReading | null>): boolean {
  const known = fresh(readings);
  return known.some((r) => r.adminState === "active") && known.some((r) => NO_TRAFFIC.has(r.adminState));
}
