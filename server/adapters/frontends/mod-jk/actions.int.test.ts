/**
 * mod-jk actions against the lab's real mod_jk jkstatus. Every change is made through the adapter and
 * checked by reading jkstatus's own answer directly (raw fetch, not through ClusterDeck's parser). Start
 * the lab first: bash e2e/lab/lab.sh up
 *
 * Only tomcat3 is touched, and it is put back to active + lbfactor 1 after every test with raw requests
 * that do not go through the adapter, so a broken adapter cannot leave the shared lab changed. mod_jk
 * applies changes synchronously in shared memory, so the read-back follows the call directly.
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
import { appError } from "@/test-support/frontend-actions";
import { toTarget } from "@/server/services/frontends/read-frontend";
import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TAdminState } from "@/server/domain/member-state";

const env = loadLabEnv();
const jkRow = labRow("mod-jk", env);
const jk = getFrontendAdapter("mod-jk");

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

async function restoreLab(): Promise<void> {
  await rawJkUpdate(ROUTE, "vwa=0&vwf=1");
}

describe("mod-jk actions against the lab", () => {
  beforeAll(async () => {
    // tomcat3 must not be in an error state (from an earlier crash test), or the status tokens differ.
    await restoreLab();
    await waitUntilHealthy(labFrontends(env));
  }, 150_000);
  afterEach(restoreLab);
  afterAll(async () => {
    await restoreLab();
    expect(await rawJkMember(ROUTE)).toMatchObject({ activation: "ACT", lbfactor: "1" });
  });

  describe("jkstatus", () => {
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

      const stateErr = await appError(jk.setAdminState(readOnly, balancer, key, "stopped"));
      expect(stateErr.code).toBe("UNEXPECTED_RESPONSE");
      expect(stateErr.message).toBe("jkstatus refused: This command is not allowed in read only mode.");
      const weightErr = await appError(jk.setWeight(readOnly, balancer, key, 5));
      expect(weightErr.message).toBe("jkstatus refused: This command is not allowed in read only mode.");

      expect(await rawJkMember(ROUTE)).toMatchObject({ activation: "ACT", lbfactor: "1" });
    });
  });
});
