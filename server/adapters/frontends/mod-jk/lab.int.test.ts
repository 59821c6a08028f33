/**
 * The mod-jk adapter against the lab's real mod_jk (jkstatus) with three real Tomcats behind it. Start the
 * lab first: bash e2e/lab/lab.sh up
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { sendNewSessionRequests } from "@/e2e/lab/traffic";
import { labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { readBalancer, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import type { TObservedMember } from "@/server/adapters/frontends/types";

const env = loadLabEnv();
const jk: TFrontendRow = {
  kind: "mod-jk",
  url: labValue(env, "LAB_JKSTATUS_URL"),
  balancer: "lb",
  username: null,
  password: null,
  timeoutMs: 3000,
};
const ROUTES = ["tomcat1", "tomcat2", "tomcat3"];

function byRoute(members: TObservedMember[], route: string): TObservedMember {
  const m = members.find((x) => x.route === route);
  if (!m) throw new Error(`no member with route ${route} in ${members.map((x) => x.route).join(",")}`);
  return m;
}

/** The raw status document straight from jkstatus, not through ClusterDeck. */
async function rawJk(): Promise<string> {
  return (await fetch(`${jk.url}?cmd=show&w=lb&mime=xml`)).text();
}

describe("mod-jk against the lab", () => {
  beforeAll(async () => {
    // A known start: no member still in an error state from an earlier run.
    await waitUntilHealthy(labFrontends(env));
  }, 150_000);

  it("reads all three members as jkstatus itself prints them", async () => {
    const b = await readBalancer(jk);
    expect(b.name).toBe("lb");
    expect(b.nonce).toBeNull();
    expect(b.members.map((m) => m.route).sort()).toEqual(ROUTES);
    for (const [i, route] of ROUTES.entries()) {
      const m = byRoute(b.members, route);
      const port = Number(labValue(env, `LAB_TOMCAT${i + 1}_AJP_PORT`));
      expect(m).toMatchObject({
        key: route,
        host: "127.0.0.1",
        port,
        adminState: "active",
        health: "healthy",
        loadfactor: 1,
      });
      expect(m.errors).toBeTypeOf("number");
      expect(m.raw.activation).toBe("ACT");
      expect(m.raw.state).toMatch(/^OK/);
    }
    const xml = await rawJk();
    expect(xml.match(/activation="ACT"/g)).toHaveLength(3);
  });

  describe("a member whose Tomcat is stopped", () => {
    afterAll(async () => {
      // Leave the lab as we found it: tomcat3 up and usable through every frontend again.
      await labCommand("start-member", "tomcat3");
      await waitUntilHealthy(labFrontends(env));
    }, 180_000);

    it("shows as failing once traffic reaches it; the others stay healthy", async () => {
      await labCommand("kill-member", "tomcat3");
      await vi.waitFor(
        async () => {
          await sendNewSessionRequests(`${labValue(env, "LAB_FRONTEND_B_URL")}/counter`, 4);
          expect(byRoute((await readBalancer(jk)).members, "tomcat3").health).toBe("failing");
        },
        { timeout: 60_000, interval: 500 },
      );
      // The other members stay healthy and every member keeps its admin state.
      const b = await readBalancer(jk);
      expect(byRoute(b.members, "tomcat1")).toMatchObject({ adminState: "active", health: "healthy" });
      expect(byRoute(b.members, "tomcat3").adminState).toBe("active");
      // And the server itself says so.
      expect(await rawJk()).toMatch(/state="ERR/);
    });
  });
});
