/**
 * apache-balancer actions against the lab's real httpd balancer-manager. Every change is made through the
 * adapter and checked by reading httpd's own status document directly (raw fetch, not through ClusterDeck's
 * parser). Start the lab first: bash e2e/lab/lab.sh up
 *
 * Only tomcat3 is touched, and it is put back to enabled + weight 1 after every test with raw requests that
 * do not go through the adapter, so a broken adapter cannot leave the shared lab changed. httpd applies
 * changes synchronously in shared memory, so the read-back follows the call directly.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import {
  ACTION_ROUTE as ROUTE,
  OTHER_ROUTES,
  labRow,
  memberSnapshot,
  parsedAdminState,
} from "@/test-support/lab/lab-frontend-actions";
import { toTarget } from "@/server/services/frontends/read-frontend";
import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TAdminState } from "@/server/domain/member-state";

const env = loadLabEnv();
const apacheRow = labRow("apache-balancer", env);
const apache = getFrontendAdapter("apache-balancer");

/** A worker as httpd names it in <httpd:name> (keyed by route). */
function apacheWorkerName(route: string): string {
  const n = route.replace("tomcat", "");
  return `http://127.0.0.1:${labValue(env, `LAB_TOMCAT${n}_HTTP_PORT`)}`;
}

// ---- balancer-manager, raw -------------------------------------------------------------------------

async function rawBalancerManagerXml(): Promise<string> {
  const res = await fetch(`${apacheRow.url}?xml=1`, { headers: { Referer: apacheRow.url } });
  expect(res.status).toBe(200);
  return res.text();
}

/** One worker's <httpd:status> (verbatim, trailing space kept) and first <httpd:loadfactor>. */
async function rawApacheWorker(route: string): Promise<{ status: string; loadfactor: string }> {
  const xml = await rawBalancerManagerXml();
  const name = apacheWorkerName(route);
  const block = [...xml.matchAll(/<httpd:worker>([\s\S]*?)<\/httpd:worker>/g)]
    .map((m) => m[1] ?? "")
    .find((b) => b.includes(`<httpd:name>${name}</httpd:name>`));
  if (block === undefined) throw new Error(`balancer-manager lists no worker ${name}`);
  const status = /<httpd:status>([^<]*)<\/httpd:status>/.exec(block)?.[1];
  const loadfactor = /<httpd:loadfactor>([^<]*)<\/httpd:loadfactor>/.exec(block)?.[1];
  if (status === undefined || loadfactor === undefined) throw new Error(`worker ${name} has no status or loadfactor`);
  return { status, loadfactor };
}

/** A change posted by hand (fresh nonce), to set up a starting state and to restore one. */
async function rawApachePost(route: string, params: string): Promise<void> {
  const nonce = /<httpd:nonce>([^<]*)<\/httpd:nonce>/.exec(await rawBalancerManagerXml())?.[1];
  if (!nonce) throw new Error("balancer-manager shows no nonce");
  const body = new URLSearchParams({ b: apacheRow.balancer, w: apacheWorkerName(route), nonce });
  const res = await fetch(apacheRow.url, {
    method: "POST",
    headers: { Referer: apacheRow.url },
    body: `${body.toString()}&${params}&xml=1`,
  });
  expect(res.status).toBe(200);
  await res.text();
}

const APACHE_CLEAN = "w_status_N=0&w_status_D=0&w_status_S=0&w_status_H=0&w_status_R=0&w_lf=1";

async function restoreLab(): Promise<void> {
  await rawApachePost(ROUTE, APACHE_CLEAN);
}

describe("apache-balancer actions against the lab", () => {
  beforeAll(async () => {
    // tomcat3 must not be in an error state (from an earlier crash test), or the status tokens differ.
    await restoreLab();
    await waitUntilHealthy(labFrontends(env));
  }, 150_000);
  afterEach(restoreLab);
  afterAll(async () => {
    await restoreLab();
    expect(await rawApacheWorker(ROUTE)).toEqual({ status: "Init Ok ", loadfactor: "1.00" });
  });

  describe("balancer-manager", () => {
    // Each case starts from other admin flags, so the result also shows the adapter clears them.
    const CASES: [state: TAdminState, startFlags: string, expected: string][] = [
      ["draining", "w_status_H=1&w_status_R=1", "Init Drn Ok "],
      ["disabled", "w_status_N=1", "Init Dis "],
      ["stopped", "w_status_N=1&w_status_D=1", "Init Stop "],
      ["standby", "w_status_S=1", "Init Stby Ok "],
      ["active", "w_status_N=1&w_status_D=1&w_status_S=1&w_status_H=1&w_status_R=1", "Init Ok "],
    ];
    it.each(CASES)("%s from [%s] leaves exactly %j", async (state, startFlags, expected) => {
      await rawApachePost(ROUTE, startFlags);
      expect((await rawApacheWorker(ROUTE)).status).not.toBe(expected);

      const { balancer, key } = await memberSnapshot(apacheRow);
      await apache.setAdminState(toTarget(apacheRow), balancer, key, state);

      expect(await rawApacheWorker(ROUTE)).toEqual({ status: expected, loadfactor: "1.00" });
      for (const other of OTHER_ROUTES) expect((await rawApacheWorker(other)).status).toBe("Init Ok ");
      expect(await parsedAdminState(apacheRow)).toBe(apache.observedStateFor(state));
    });

    it.each([
      [2.5, "2.50"],
      // Sent as "2.305": httpd truncates atof("2.3") * 100 to 229 and would store 2.29.
      [2.3, "2.30"],
      [100, "100.00"],
      [1, "1.00"],
    ])("setWeight(%s) reads back as loadfactor %s", async (weight, expected) => {
      await rawApachePost(ROUTE, weight === 1 ? "w_lf=4" : "w_lf=1");
      const { balancer, key } = await memberSnapshot(apacheRow);
      await apache.setWeight(toTarget(apacheRow), balancer, key, weight);
      expect(await rawApacheWorker(ROUTE)).toEqual({ status: "Init Ok ", loadfactor: expected });
      for (const other of OTHER_ROUTES) expect((await rawApacheWorker(other)).loadfactor).toBe("1.00");
    });

    it("a stale nonce is answered 200 and changes nothing (why callers must re-read)", async () => {
      const { balancer, key } = await memberSnapshot(apacheRow);
      const stale = { ...balancer, nonce: "00000000-0000-0000-0000-000000000000" };
      await apache.setAdminState(toTarget(apacheRow), stale, key, "stopped");
      expect((await rawApacheWorker(ROUTE)).status).toBe("Init Ok ");
    });
  });
});
