import { matchesMemberFilter, type TMemberFilter } from "@/server/domain/member-filter";
import type { TFrontendRow, TMemberRow } from "@/components/cluster/use-live-cluster";

/** How the members table can be ordered. */
export const MEMBER_SORTS = {
  name: "Name",
  route: "Route",
  health: "Health (worst first)",
  state: "State (out of rotation first)",
  requests: "Requests/s (busiest first)",
  errors: "Errors/s (most first)",
} as const;
export type TMemberSort = keyof typeof MEMBER_SORTS;

const HEALTH_RANK: Record<string, number> = { failing: 0, degraded: 1, unknown: 2, healthy: 3, empty: 4 };
const STATE_RANK: Record<string, number> = { stopped: 0, disabled: 1, draining: 2, standby: 3, active: 4 };

/** Per-second totals over the member's frontends (each frontend sends its own traffic). */
export function totalRate(row: TMemberRow, field: "requestsPerSec" | "errorsPerSec"): number | null {
  let sum: number | null = null;
  for (const s of row.states) {
    const v = s?.[field];
    if (v !== null && v !== undefined) sum = (sum ?? 0) + v;
  }
  return sum;
}

function stateRank(row: TMemberRow): number {
  let rank = 5;
  for (const s of row.states) if (s) rank = Math.min(rank, STATE_RANK[s.adminState] ?? 5);
  return rank;
}

const byName = (a: TMemberRow, b: TMemberRow) => a.name.localeCompare(b.name, undefined, { numeric: true });

const COMPARE: Record<TMemberSort, (a: TMemberRow, b: TMemberRow) => number> = {
  name: byName,
  route: (a, b) => a.route.localeCompare(b.route, undefined, { numeric: true }) || byName(a, b),
  health: (a, b) => (HEALTH_RANK[a.health] ?? 9) - (HEALTH_RANK[b.health] ?? 9) || byName(a, b),
  state: (a, b) => stateRank(a) - stateRank(b) || byName(a, b),
  requests: (a, b) => (totalRate(b, "requestsPerSec") ?? -1) - (totalRate(a, "requestsPerSec") ?? -1) || byName(a, b),
  errors: (a, b) => (totalRate(b, "errorsPerSec") ?? -1) - (totalRate(a, "errorsPerSec") ?? -1) || byName(a, b),
};

/** The rows the filter keeps (the same rule as the CLI's --filter), in the chosen order. */
export function visibleMembers(members: readonly TMemberRow[], filter: TMemberFilter, sort: TMemberSort): TMemberRow[] {
  return members.filter((m) => matchesMemberFilter(m, filter)).sort(COMPARE[sort]);
}

/**
 * States offered for a cluster's members: what every enabled frontend can do, or says (in its kind's
 * note) how it handles instead (nginx has no drain and keeps the member in rotation: the dialog then
 * shows those notes as caveats).
 */
export function offeredStates(frontends: readonly TFrontendRow[]): {
  supportedStates: string[];
  caveats: Record<string, string[]>;
} {
  const enabled = frontends.filter((f) => f.enabled);
  const candidates = [...new Set(enabled.flatMap((f) => f.adminStates))];
  const supportedStates = candidates.filter((s) =>
    enabled.every((f) => f.adminStates.includes(s) || f.notes[s] !== undefined),
  );
  const caveats = Object.fromEntries(
    supportedStates.map((s) => [
      s,
      enabled.filter((f) => f.notes[s] !== undefined).map((f) => `${f.name}: ${f.notes[s]}`),
    ]),
  );
  return { supportedStates, caveats };
}
