import fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { labValue, loadLabEnv } from "./lab-env";
import { sendNewSessionRequests } from "../../e2e/lab/traffic";
import { readBalancer, type TFrontendRow } from "../../server/services/frontends/read-frontend";
import { getFrontendAdapter } from "../../server/adapters/registry";
import type { TObservedMember } from "../../server/adapters/frontends/types";
import type { TAdminState, THealth } from "../../server/domain/member-state";

export const LAB_ROUTES = ["tomcat1", "tomcat2", "tomcat3"] as const;

export interface TLabFrontend {
  /** The frontend's name in the lab inventory (.lab/clusterdeck.yaml). */
  name: string;
  /** The demo app's counter URL through this frontend. */
  appUrl: string;
  row: TFrontendRow;
}

/** Which lab.env URL serves the app through each kind (the lab runs one frontend of each kind). */
const APP_URL_BY_KIND: Record<string, string> = {
  "apache-balancer": "LAB_FRONTEND_A_URL",
  "mod-jk": "LAB_FRONTEND_B_URL",
  haproxy: "LAB_FRONTEND_C_URL",
  nginx: "LAB_FRONTEND_D_URL",
};

interface TInventoryFrontend {
  name: string;
  kind: string;
  url: string;
  balancer: string;
  options?: Record<string, unknown>;
}

/**
 * Every frontend of the lab inventory's cluster (render.sh writes it), read straight from their own
 * status pages (not through the console). Tests iterate over these, so a frontend added to the lab
 * inventory is covered without editing them.
 */
export function labFrontends(env = loadLabEnv()): TLabFrontend[] {
  const inventory = parseYaml(fs.readFileSync(labValue(env, "LAB_INVENTORY"), "utf8")) as {
    clusters: Array<{ name: string; frontends: TInventoryFrontend[] }>;
  };
  const lab = inventory.clusters.find((c) => c.name === "lab");
  if (!lab) throw new Error("the lab inventory has no cluster named lab");
  return lab.frontends.map((f) => {
    const appUrlKey = APP_URL_BY_KIND[f.kind];
    if (!appUrlKey)
      throw new Error(`lab-frontends.ts does not know where the app is served through a ${f.kind} frontend`);
    return {
      name: f.name,
      appUrl: `${labValue(env, appUrlKey)}/counter`,
      row: {
        kind: f.kind,
        url: f.url,
        balancer: f.balancer,
        username: null,
        password: null,
        timeoutMs: 3000,
        options: f.options ? JSON.stringify(f.options) : null,
      },
    };
  });
}

/**
 * The lab member an observed member is: its route, or for kinds without routes (nginx) the Tomcat whose
 * HTTP port it is, as member-identity.ts matches them.
 */
export function labRouteOf(m: TObservedMember, env = loadLabEnv()): string {
  if (m.route) return m.route;
  const n = [1, 2, 3].find((i) => String(m.port) === env[`LAB_TOMCAT${i}_HTTP_PORT`]);
  return n ? `tomcat${n}` : m.key;
}

/**
 * What a frontend shows after a member was set to `state`: the kind's own reading (mod_jk shows
 * disabled as stopped), or — where the kind does not offer that state (nginx has no drain) — `kept`,
 * the state the member had, since the action leaves it alone there.
 */
export function expectedAdminState(f: TLabFrontend, state: TAdminState, kept: TAdminState = "active"): TAdminState {
  return getFrontendAdapter(f.row.kind).observedStateFor(state) ?? kept;
}

/** What health the balancer itself gives a member. */
export async function balancerHealth(f: TLabFrontend, route: string): Promise<THealth | undefined> {
  return (await readBalancer(f.row)).members.find((m) => labRouteOf(m) === route)?.health;
}

/** What admin state the balancer itself shows for a member. */
export async function balancerAdminState(f: TLabFrontend, route: string): Promise<TAdminState | undefined> {
  return (await readBalancer(f.row)).members.find((m) => labRouteOf(m) === route)?.adminState;
}

/**
 * Sends new-session requests through each frontend until every frontend reports every route healthy
 * (a member a balancer saw fail comes back only when new sessions make it retry the member).
 * Bounded: throws after timeoutMs with what is still not healthy.
 */
export async function waitUntilHealthy(
  frontends: TLabFrontend[],
  routes: readonly string[] = LAB_ROUTES,
  timeoutMs = 120_000,
): Promise<void> {
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

/** The kind's note on a state (capabilities.notes), which the UI shows beside the frontend and in the action's dialog. */
export function frontendNote(f: TLabFrontend, state: TAdminState): string | undefined {
  return getFrontendAdapter(f.row.kind).capabilities.notes?.[state];
}

/**
 * The counter URL of a lab context through each frontend that routes by the id's route. nginx hashes the
 * whole cookie instead, so a Tomcat that gives a taken-over session a new id (JvmRouteBinderValve, sticky
 * MSM) would send its user to yet another Tomcat, which renames it again: a new id on nearly every request.
 */
export function routeAwareTargets(env: Record<string, string>, context: string): string[] {
  return labFrontends(env)
    .filter((f) => f.row.kind !== "nginx")
    .map((f) => f.appUrl.replace(/\/app\/counter$/, `${context}/counter`));
}
