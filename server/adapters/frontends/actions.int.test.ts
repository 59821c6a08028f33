/**
 * Operator actions of both frontend adapters against the lab's real httpd balancer-manager and mod_jk
 * jkstatus. Every change is made through the adapter and checked by reading the server's own status
 * document directly (raw fetch, not through ClusterDeck's parsers). Start the lab first:
 * bash e2e/lab/lab.sh up
 *
 * Only tomcat3 is touched, and it is put back to enabled + weight 1 after every test with raw requests
 * that do not go through the adapters, so a broken adapter cannot leave the shared lab changed.
 * Both servers apply changes synchronously in shared memory, so the read-back follows the call directly.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { readBalancer, toTarget, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import type { TAdminState } from "@/server/domain/member-state";
import { AppError } from "@/server/errors";

const env = loadLabEnv();
const frontends = labFrontends(env);
const ROUTE = "tomcat3";
const OTHER_ROUTES = ["tomcat1", "tomcat2"];

function labRow(kind: string): TFrontendRow {
  const f = frontends.find((x) => x.row.kind === kind);
  if (!f) throw new Error(`the lab has no ${kind} frontend`);
  return f.row;
}

const apacheRow = labRow("apache-balancer");
const jkRow = labRow("mod-jk");
const apache = getFrontendAdapter("apache-balancer");
const jk = getFrontendAdapter("mod-jk");

/** Members in the status documents, as in httpd's own <httpd:name> (keyed by route) and mod_jk's member names. */
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

// ---- jkstatus, raw ---------------------------------------------------------------------------------

/** One member's attributes, straight from `cmd=show&sw=` (every value one attribute). */
async function rawJkMember(name: string): Promise<Record<string, string>> {
  const res = await fetch(`${jkRow.url}?cmd=show&w=${jkRow.balancer}&sw=${name}&mime=xml`);
  expect(res.status).toBe(200);
  const xml = await res.text();
  const element = new RegExp(`<jk:member\\s+name="${name}"([^>]*)/>`).exec(xml)?.[1];
  if (element === undefined) throw new Error(`jkstatus shows no member ${name}: ${xml.slice(0, 300)}`);
  return Object.fromEntries([...element.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

async function rawJkUpdate(name: string, params: string): Promise<void> {
  const res = await fetch(`${jkRow.url}?cmd=update&mime=xml&w=${jkRow.balancer}&sw=${name}&${params}`);
  expect(await res.text()).toContain('type="OK"');
}

// ---- shared ----------------------------------------------------------------------------------------

async function memberSnapshot(row: TFrontendRow): Promise<{ balancer: TBalancerSnapshot; key: string }> {
  const balancer = await readBalancer(row);
  const member = balancer.members.find((m) => m.route === ROUTE);
  if (!member) throw new Error(`${row.url} has no member with route ${ROUTE}`);
  return { balancer, key: member.key };
}

async function parsedAdminState(row: TFrontendRow): Promise<TAdminState | undefined> {
  return (await readBalancer(row)).members.find((m) => m.route === ROUTE)?.adminState;
}

async function restoreLab(): Promise<void> {
  await rawApachePost(ROUTE, APACHE_CLEAN);
  await rawJkUpdate(ROUTE, "vwa=0&vwf=1");
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("frontend actions against the lab", () => {
  beforeAll(async () => {
    // tomcat3 must not be in an error state (from an earlier crash test), or the status tokens differ.
    await restoreLab();
    await waitUntilHealthy(frontends);
  }, 150_000);
  afterEach(restoreLab);
  afterAll(async () => {
    await restoreLab();
    expect(await rawApacheWorker(ROUTE)).toEqual({ status: "Init Ok ", loadfactor: "1.00" });
    expect(await rawJkMember(ROUTE)).toMatchObject({ activation: "ACT", lbfactor: "1" });
  });

  describe("apache-balancer (balancer-manager)", () => {
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

  describe("mod-jk (jkstatus)", () => {
    const CASES: [state: TAdminState, start: string, activation: string][] = [
      ["draining", "vwa=2", "DIS"],
      // mod_jk's only no-traffic activation: disabled is sent and read back as stopped.
      ["disabled", "vwa=1", "STP"],
      ["stopped", "vwa=1", "STP"],
      ["active", "vwa=2", "ACT"],
    ];
    it.each(CASES)("%s from [%s] reads back activation=%s", async (state, start, activation) => {
      await rawJkUpdate(ROUTE, start);
      expect((await rawJkMember(ROUTE)).activation).not.toBe(activation);

      const { balancer, key } = await memberSnapshot(jkRow);
      await jk.setAdminState(toTarget(jkRow), balancer, key, state);

      expect(await rawJkMember(ROUTE)).toMatchObject({ activation, lbfactor: "1" });
      for (const other of OTHER_ROUTES) expect((await rawJkMember(other)).activation).toBe("ACT");
      expect(await parsedAdminState(jkRow)).toBe(jk.observedStateFor(state));
    });

    it.each([
      [3, "3"],
      [1, "1"],
    ])("setWeight(%s) reads back as lbfactor=%s", async (weight, expected) => {
      await rawJkUpdate(ROUTE, weight === 1 ? "vwf=4" : "vwf=1");
      const { balancer, key } = await memberSnapshot(jkRow);
      await jk.setWeight(toTarget(jkRow), balancer, key, weight);
      expect(await rawJkMember(ROUTE)).toMatchObject({ activation: "ACT", lbfactor: expected });
      for (const other of OTHER_ROUTES) expect((await rawJkMember(other)).lbfactor).toBe("1");
    });

    it("a read-only status worker refuses with its own message and changes nothing", async () => {
      const { balancer, key } = await memberSnapshot(jkRow);
      const readOnly = toTarget({ ...jkRow, url: labValue(env, "LAB_JKSTATUS_RO_URL") });

      const stateErr = await rejection(jk.setAdminState(readOnly, balancer, key, "stopped"));
      expect(stateErr.code).toBe("UNEXPECTED_RESPONSE");
      expect(stateErr.message).toBe("jkstatus refused: This command is not allowed in read only mode.");
      const weightErr = await rejection(jk.setWeight(readOnly, balancer, key, 5));
      expect(weightErr.message).toBe("jkstatus refused: This command is not allowed in read only mode.");

      expect(await rawJkMember(ROUTE)).toMatchObject({ activation: "ACT", lbfactor: "1" });
    });
  });
});
