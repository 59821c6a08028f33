import type { TObservedMember } from "@/server/adapters/frontends/types";
import { processSingleton } from "@/server/process-singleton";

export interface TMemberRates {
  requestsPerSec: number;
  errorsPerSec: number | null;
  bytesPerSec: number;
}

export interface TLiveMember extends TObservedMember {
  /** Rates since the previous good poll; null on the first poll or after a counter reset (restart). */
  rates: TMemberRates | null;
}

/** The latest poll outcome of one frontend, failures included. */
export interface TFrontendLive {
  frontendId: number;
  clusterId: number;
  up: boolean;
  error: string | null;
  errorCode: string | null;
  lastPollAt: Date | null;
  lastGoodAt: Date | null;
  durationMs: number;
  /** Members as last seen; after a failed poll these are the last good readings, marked stale. */
  members: TLiveMember[];
  stale: boolean;
  balancerRaw: Record<string, string>;
}

// One per process: the poller (instrumentation bundle) writes it and the API (route bundles) reads it.
function table(): Map<number, TFrontendLive> {
  return processSingleton("live-state", () => new Map<number, TFrontendLive>());
}

export function getFrontendLive(frontendId: number): TFrontendLive | undefined {
  return table().get(frontendId);
}

export function setFrontendLive(live: TFrontendLive): void {
  table().set(live.frontendId, live);
}

export function forgetFrontendLive(frontendId: number): void {
  table().delete(frontendId);
}

const indexes = new WeakMap<TFrontendLive, Map<string, TLiveMember>>();

/** The poll's members by key, built once per poll on first use (a live reading is never changed after it is set). */
export function liveMemberIndex(live: TFrontendLive): Map<string, TLiveMember> {
  let index = indexes.get(live);
  if (!index) {
    index = new Map(live.members.map((m) => [m.key, m]));
    indexes.set(live, index);
  }
  return index;
}

/**
 * Per-second rates from two cumulative readings. A counter that went down means the frontend restarted
 * (httpd restarts reset elected/transferred/read), so there is no rate for that interval rather than a
 * huge negative one.
 */
export function computeRates(
  prev: TObservedMember | undefined,
  next: TObservedMember,
  seconds: number,
): TMemberRates | null {
  if (!prev || seconds <= 0) return null;
  const dElected = next.elected - prev.elected;
  const dBytes = next.bytesIn + next.bytesOut - (prev.bytesIn + prev.bytesOut);
  if (dElected < 0 || dBytes < 0) return null;
  let errorsPerSec: number | null = null;
  if (next.errors !== null && prev.errors !== null) {
    const dErrors = next.errors - prev.errors;
    errorsPerSec = dErrors < 0 ? null : dErrors / seconds;
  }
  return { requestsPerSec: dElected / seconds, errorsPerSec, bytesPerSec: dBytes / seconds };
}
