/**
 * The apache-balancer adapter against the lab's real Apache httpd (mod_proxy_balancer's balancer-manager)
 * with three real Tomcats behind it. Start the lab first: bash e2e/lab/lab.sh up
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labCommand, labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { sendNewSessionRequests } from "@/e2e/lab/traffic";
import { labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { readBalancer, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import type { TObservedMember } from "@/server/adapters/frontends/types";

const env = loadLabEnv();
const apache: TFrontendRow = {
  kind: "apache-balancer",
  url: labValue(env, "LAB_BALANCER_MANAGER_URL"),
  balancer: "tomcats",
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

/** The raw status document straight from httpd, not through ClusterDeck. */
async function rawBalancerManager(): Promise<string> {
  const res = await fetch(`${apache.url}?xml=1`, { headers: { Referer: apache.url } });
  return res.text();
}

describe("apache-balancer against the lab", () => {
  beforeAll(async () => {
    // A known start: no member still in an error state from an earlier run.
    await waitUntilHealthy(labFrontends(env));
  }, 150_000);

  it("reads all three members as httpd itself prints them", async () => {
    const b = await readBalancer(apache);
    expect(b.name).toBe("tomcats");
    expect(b.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.members.map((m) => m.route).sort()).toEqual(ROUTES);
    for (const [i, route] of ROUTES.entries()) {
      const m = byRoute(b.members, route);
      const port = Number(labValue(env, `LAB_TOMCAT${i + 1}_HTTP_PORT`));
      expect(m).toMatchObject({
        key: `http://127.0.0.1:${port}`,
        host: "127.0.0.1",
        port,
        adminState: "active",
        health: "healthy",
        loadfactor: 1,
        lbset: 0,
        errors: null,
      });
      expect(m.elected).toBeGreaterThan(0);
      expect(m.bytesIn).toBeGreaterThan(0);
    }
    // Cross-check against the raw document: status tokens and counters are the server's own.
    const xml = await rawBalancerManager();
    expect(xml).toContain("<httpd:route>tomcat2</httpd:route>");
    expect(xml.match(/<httpd:status>Init Ok <\/httpd:status>/g)).toHaveLength(3);
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
          await sendNewSessionRequests(`${labValue(env, "LAB_FRONTEND_A_URL")}/counter`, 4);
          expect(byRoute((await readBalancer(apache)).members, "tomcat3").health).toBe("failing");
        },
        { timeout: 60_000, interval: 500 },
      );
      // The other members stay healthy and every member keeps its admin state.
      const b = await readBalancer(apache);
      expect(byRoute(b.members, "tomcat1")).toMatchObject({ adminState: "active", health: "healthy" });
      expect(byRoute(b.members, "tomcat3").adminState).toBe("active");
      // And the server itself says so.
      expect(await rawBalancerManager()).toMatch(/<httpd:status>Init Err <\/httpd:status>/);
    });
  });
});
