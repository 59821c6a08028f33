import type { TObservedMember } from "@/server/adapters/frontends/types";
import { readBalancer } from "@/server/services/frontends/read-frontend";
import { matchMember } from "@/server/services/members/member-identity";
import type { getClusterByName } from "@/server/services/inventory/inventory";

type TCluster = Awaited<ReturnType<typeof getClusterByName>>;
type TMemberRow = TCluster["members"][number];

export interface TMemberReading {
  frontendId: number;
  frontend: string;
  kind: string;
  /** null: the frontend does not list the member (or could not be read: see error). */
  observed: TObservedMember | null;
  error: string | null;
}

/**
 * The member as every enabled frontend shows it right now, read directly (not from the poller's last
 * reading): a rollout decides on what the balancers say at this moment.
 */
export async function readMemberEverywhere(cluster: TCluster, member: TMemberRow): Promise<TMemberReading[]> {
  return Promise.all(
    cluster.frontends
      .filter((f) => f.enabled)
      .map(async (f) => {
        const base = { frontendId: f.id, frontend: f.name, kind: f.kind };
        try {
          const b = await readBalancer(f);
          return { ...base, observed: b.members.find((o) => matchMember([member], o)) ?? null, error: null };
        } catch (err) {
          return { ...base, observed: null, error: (err as Error).message };
        }
      }),
  );
}

export function describeReadings(rs: TMemberReading[]): Array<{
  frontend: string;
  adminState: string | null;
  health: string | null;
  busy: number | null;
  weight: number | null;
  errors: number | null;
  error: string | null;
}> {
  return rs.map((r) => ({
    frontend: r.frontend,
    adminState: r.observed?.adminState ?? null,
    health: r.observed?.health ?? null,
    busy: r.observed?.busy ?? null,
    weight: r.observed?.loadfactor ?? null,
    errors: r.observed?.errors ?? null,
    error: r.error,
  }));
}
