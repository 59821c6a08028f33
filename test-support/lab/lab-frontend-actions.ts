import { labFrontends } from "@/test-support/lab/lab-frontends";
import { readBalancer, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import type { TAdminState } from "@/server/domain/member-state";

/**
 * Shared by each frontend kind's action tests against the lab (the tests live in the kind's folder).
 * They touch only this member, and put it back with raw requests that do not go through the adapters.
 */
export const ACTION_ROUTE = "tomcat3";
export const OTHER_ROUTES = ["tomcat1", "tomcat2"];

/** The lab's frontend of one kind, as the console stores it. */
export function labRow(kind: string, env?: Record<string, string>): TFrontendRow {
  const f = labFrontends(env).find((x) => x.row.kind === kind);
  if (!f) throw new Error(`the lab has no ${kind} frontend`);
  return f.row;
}

/** The balancer just read (with the nonce balancer-manager needs) and the action member's key in it. */
export async function memberSnapshot(row: TFrontendRow): Promise<{ balancer: TBalancerSnapshot; key: string }> {
  const balancer = await readBalancer(row);
  const member = balancer.members.find((m) => m.route === ACTION_ROUTE);
  if (!member) throw new Error(`${row.url} has no member with route ${ACTION_ROUTE}`);
  return { balancer, key: member.key };
}

/** The action member's admin state as ClusterDeck's parser reads it. */
export async function parsedAdminState(row: TFrontendRow): Promise<TAdminState | undefined> {
  return (await readBalancer(row)).members.find((m) => m.route === ACTION_ROUTE)?.adminState;
}
