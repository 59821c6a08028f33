import { labValue, loadLabEnv } from "./lab-env";
import { sendNewSessionRequests } from "./traffic";
import { readBalancer, type TFrontendRow } from "../../server/services/read-frontend";
import type { TAdminState, THealth } from "../../server/domain/member-state";

export const LAB_ROUTES = ["tomcat1", "tomcat2", "tomcat3"] as const;

export interface TLabFrontend {
  /** The frontend's name in the lab inventory (.lab/clusterdeck.yaml). */
  name: string;
  /** The demo app's counter URL through this frontend. */
  appUrl: string;
  row: TFrontendRow;
}

/** The lab's two frontends, read straight from their own status pages (not through the console). */
export function labFrontends(env = loadLabEnv()): TLabFrontend[] {
  return [
    {
      name: "apache-balancer",
      appUrl: `${labValue(env, "LAB_FRONTEND_A_URL")}/counter`,
      row: { kind: "apache-balancer", url: labValue(env, "LAB_BALANCER_MANAGER_URL"), balancer: "tomcats", username: null, password: null, timeoutMs: 3000 },
    },
    {
      name: "apache-mod-jk",
      appUrl: `${labValue(env, "LAB_FRONTEND_B_URL")}/counter`,
      row: { kind: "mod-jk", url: labValue(env, "LAB_JKSTATUS_URL"), balancer: "lb", username: null, password: null, timeoutMs: 3000 },
    },
  ];
}

/** What health the balancer itself gives a member. */
export async function balancerHealth(f: TLabFrontend, route: string): Promise<THealth | undefined> {
  return (await readBalancer(f.row)).members.find((m) => m.route === route)?.health;
}

/** What admin state the balancer itself shows for a member. */
export async function balancerAdminState(f: TLabFrontend, route: string): Promise<TAdminState | undefined> {
  return (await readBalancer(f.row)).members.find((m) => m.route === route)?.adminState;
}

/**
 * Sends new-session requests through each frontend until every frontend reports every route healthy
 * (a member a balancer saw fail comes back only when new sessions make it retry the member).
 * Bounded: throws after timeoutMs with what is still not healthy.
 */
export async function waitUntilHealthy(frontends: TLabFrontend[], routes: readonly string[] = LAB_ROUTES, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    pending = [];
    for (const f of frontends) {
      await sendNewSessionRequests(f.appUrl, 3);
      for (const r of routes) {
        const h = await balancerHealth(f, r).catch((err: Error) => `unreadable (${err.message})`);
        if (h !== "healthy") pending.push(`${r} on ${f.name}: ${h}`);
      }
    }
    if (pending.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`lab members not healthy after ${timeoutMs} ms: ${pending.join("; ")}`);
}
