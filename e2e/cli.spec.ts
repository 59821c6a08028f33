import { findClosedPort } from "../test-support/fault-server";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import {
  balancerAdminState,
  expectedAdminState,
  labFrontends,
  waitUntilHealthy,
} from "../test-support/lab/lab-frontends";
import { ADMIN, apiSignIn } from "./support/session";
import { clusterdeck } from "./support/clusterdeck";

const FRONTENDS = labFrontends();

async function trpc(request: APIRequestContext, csrf: string, procedure: string, input: unknown) {
  const res = await request.post(`/api/trpc/${procedure}`, {
    data: { json: input },
    headers: { "x-csrf-token": csrf },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

test.describe("clusterdeck CLI against the running console and the lab", () => {
  let token: string;
  let csrf: string;
  let api: APIRequestContext; // signed in as the admin for the whole describe

  test.beforeAll(async ({ baseURL }) => {
    await waitUntilHealthy(FRONTENDS);
    api = await playwrightRequest.newContext({ baseURL });
    csrf = await apiSignIn(api, ADMIN);
    token = (
      (await trpc(api, csrf, "token.create", { name: `cli-e2e-${Date.now()}`, role: "operator" })) as { token: string }
    ).token;
  });
  test.afterAll(async () => {
    await api?.dispose();
  });

  test("drain tomcat2 --wait --json: per-frontend results, exit 0; enable the same way", async ({ baseURL }) => {
    const run = await clusterdeck(baseURL!, token, "drain", "tomcat2", "--cluster", "lab", "--wait", "--json");
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      overall: string;
      frontends: Array<{ frontend: string; outcome: string }>;
      waited: { confirmed: boolean };
    };
    expect(out.overall).toBe("done");
    // A kind without a drain (nginx) answers "unsupported" and keeps the member in rotation.
    expect(out.frontends.map((f) => [f.frontend, f.outcome])).toEqual(
      FRONTENDS.map((f) => [f.name, expectedAdminState(f, "draining") === "draining" ? "done" : "unsupported"]),
    );
    expect(out.waited.confirmed).toBe(true);
    for (const f of FRONTENDS) expect(await balancerAdminState(f, "tomcat2")).toBe(expectedAdminState(f, "draining"));

    const back = await clusterdeck(baseURL!, token, "enable", "tomcat2", "--wait", "--json"); // one cluster: --cluster may be left out
    expect(back.code, back.stderr).toBe(0);
    for (const f of FRONTENDS) expect(await balancerAdminState(f, "tomcat2")).toBe("active");
  });

  test("a frontend that is down makes it exit non-zero with a clear message", async ({ baseURL }) => {
    const request = api;
    const port = await findClosedPort();
    const ghost = (await trpc(request, csrf, "frontend.create", {
      clusterId: await labClusterId(request),
      data: { name: "down-jk", kind: "mod-jk", url: `http://127.0.0.1:${port}/jkstatus`, balancer: "lb" },
    })) as { id: number };
    try {
      const run = await clusterdeck(baseURL!, token, "drain", "tomcat2", "--cluster", "lab");
      expect(run.code).toBe(1); // partial: the two lab frontends confirmed, the dead one did not
      const text = run.stdout + run.stderr;
      expect(text).toMatch(/down-jk\s+FAILED\s+Cannot reach http:\/\/127\.0\.0\.1:\d+\/jkstatus\S*: ECONNREFUSED/);
      expect(text).toContain("PARTIAL");
      const json = await clusterdeck(baseURL!, token, "enable", "tomcat2", "--cluster", "lab", "--json");
      expect(json.code).toBe(1);
      expect((JSON.parse(json.stdout) as { overall: string }).overall).toBe("partial");
    } finally {
      await trpc(request, csrf, "frontend.delete", { id: ghost.id });
    }
    for (const f of FRONTENDS) expect(await balancerAdminState(f, "tomcat2")).toBe("active");
    const unauthorized = await clusterdeck(baseURL!, "cdk_not-a-token", "status");
    expect(unauthorized.code).toBe(3);
  });
});

async function labClusterId(request: APIRequestContext): Promise<number> {
  const input = encodeURIComponent(JSON.stringify({ json: { name: "lab" } }));
  const res = await request.get(`/api/trpc/cluster.inventory?input=${input}`);
  return ((await res.json()) as { result: { data: { json: { id: number } } } }).result.data.json.id;
}
