import type { TAdminState } from "@/server/domain/member-state";

/**
 * Weights closer than this are the same weight: balancer-manager shows a loadfactor with two decimals
 * (docs/reference/apache-balancer-manager.md), so a weight of 1.5 may read back as 1.50 or 1.499….
 */
const WEIGHT_TOLERANCE = 0.005;

export function sameWeight(a: number, b: number): boolean {
  return Math.abs(a - b) < WEIGHT_TOLERANCE;
}

/** What ClusterDeck was last told for a member (null: never set, nothing to compare). */
export interface TIntent {
  state: TAdminState | null;
  weight: number | null;
}

/** What one frontend shows for the member. */
export interface TObservation {
  adminState: TAdminState;
  loadfactor: number;
}

/**
 * How a kind shows a state after being set to it (the adapter's observedStateFor), or null when the kind
 * cannot be set to that state. mod_jk and HAProxy have one no-traffic state, so "disabled" reads back as
 * "stopped" there.
 */
export type TReadsBackAs = (intended: TAdminState) => TAdminState | null;

/**
 * The one rule for "the frontend shows what was intended", in the kind's own terms. It decides both drift
 * (the cluster view, auto re-apply) and whether an action took effect (read-after-write verification).
 * A state the kind cannot show never counts against it: the action was refused as unsupported instead.
 */
export function observedMatchesIntended(intent: TIntent, observed: TObservation, readsBackAs: TReadsBackAs): boolean {
  if (intent.state !== null) {
    const expected = readsBackAs(intent.state);
    if (expected !== null && expected !== observed.adminState) return false;
  }
  return intent.weight === null || sameWeight(intent.weight, observed.loadfactor);
}
