/**
 * `clusterdeck balancer-set`: what goes to the console (the cluster view, then one POST …/balancer-settings per
 * setting, in order), how each result is printed, the exit code, and what is refused before anything is sent.
 * A small in-process console stands in; its frontends carry the real adapters' capabilities.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { run } from "@/server/cli/main";
import { stubConsole } from "@/test-support/stub-console";
import { BM_BALANCER_SETTINGS } from "@/server/adapters/frontends/apache-balancer/actions";
import { JK_BALANCER_SETTINGS } from "@/server/adapters/frontends/mod-jk/actions";

const frontendRow = (id: number, name: string, kind: string, balancer: string, settings: object) => ({
  id,
  name,
  kind,
  kindLabel: kind,
  url: `http://127.0.0.1/${kind}`,
  balancer,
  pollIntervalMs: 2000,
  enabled: true,
  up: true,
  error: null,
  errorCode: null,
  lastPollAt: null,
  lastGoodAt: null,
  durationMs: 1,
  adminStates: ["active"],
  notes: {},
  balancerSettings: settings,
  balancerValues: {},
});

const view = {
  cluster: { id: 1, name: "shop", description: "", autoReapply: false },
  frontends: [
    frontendRow(1, "apache-balancer", "apache-balancer", "tomcats", BM_BALANCER_SETTINGS),
    frontendRow(2, "mod-jk", "mod-jk", "lb", JK_BALANCER_SETTINGS),
    frontendRow(3, "haproxy", "haproxy", "tomcats", {}),
  ],
  members: [],
  health: "healthy",
};

// timeout 99 is "ignored" by this stand-in (not verified); lbmethod heartbeat is refused (failed).
const stub = stubConsole((req, requests) => {
  if (req.method === "GET") return view;
  const body = req.body as { name: string; value: string };
  const outcome = body.value === "99" ? "not-verified" : body.value === "heartbeat" ? "failed" : "done";
  return {
    cluster: "shop",
    frontend: "apache-balancer",
    name: body.name,
    outcome,
    before: "1",
    shown: outcome === "done" ? body.value : "1",
    message: outcome === "done" ? null : outcome === "failed" ? "httpd answered 500" : "still shows 1",
    auditId: 40 + requests.length,
  };
});
const { requests, cli } = stub;

const posts = () => requests.filter((q) => q.method === "POST");

describe("clusterdeck balancer-set", () => {
  beforeAll(stub.start);
  afterAll(stub.stop);
  beforeEach(() => {
    requests.length = 0;
  });

  it("reads the cluster, then one POST per setting in a fixed order, each printed with before → after", async () => {
    const r = await cli(["balancer-set", "apache-balancer", "--maxattempts", "3", "--nofailover", "on"]);
    expect(r.code).toBe(0);
    expect(requests.map((q) => [q.method, q.url, q.body])).toEqual([
      ["GET", "/api/v1/clusters/shop", undefined],
      [
        "POST",
        "/api/v1/clusters/shop/frontends/apache-balancer/balancer-settings",
        { name: "nofailover", value: "on" },
      ],
      [
        "POST",
        "/api/v1/clusters/shop/frontends/apache-balancer/balancer-settings",
        { name: "maxattempts", value: "3" },
      ],
    ]);
    expect(r.out).toContain("nofailover: done, 1 → on (audit #42)");
    expect(r.out).toContain("maxattempts: done, 1 → 3 (audit #43)");
  });

  it("sends mod_jk's names as its status page writes them (--sticky-session → sticky_session)", async () => {
    const r = await cli(["balancer-set", "mod-jk", "--sticky-session", "off", "--recover-time", "30", "--json"]);
    expect(r.code).toBe(0);
    expect(posts().map((q) => q.body)).toEqual([
      { name: "sticky_session", value: "off" },
      { name: "recover_time", value: "30" },
    ]);
    expect((JSON.parse(r.out) as Array<{ outcome: string }>).map((x) => x.outcome)).toEqual(["done", "done"]);
  });

  it("exit 1 when a setting is not read back while another is, exit 5 when none took", async () => {
    const partial = await cli(["balancer-set", "apache-balancer", "--timeout", "99", "--maxattempts", "2"]);
    expect(partial.code).toBe(1);
    expect(partial.out).toContain("timeout: NOT VERIFIED, shows 1: still shows 1");
    const failed = await cli(["balancer-set", "apache-balancer", "--lbmethod", "heartbeat"]);
    expect(failed.code).toBe(5);
    expect(failed.out).toContain("lbmethod: FAILED: httpd answered 500");
  });

  it.each([
    [["apache-balancer", "--maxattempts", "100"], /maxattempts must be a whole number from 0 to 99/],
    [["apache-balancer", "--method", "Next"], /apache-balancer \(apache-balancer\) has no balancer setting method/],
    [["mod-jk", "--retries", "0"], /retries must be a whole number from 1 to 1000/],
    [["haproxy", "--timeout", "5"], /has no balancer setting timeout; it has none/],
    [["nginx", "--timeout", "5"], /No frontend "nginx" in cluster shop/],
    [["mod-jk", "--balancer", "tomcats", "--retries", "3"], /mod-jk drives balancer lb, not tomcats/],
  ])("%j is a usage error after reading the cluster, and nothing is sent", async (args, message) => {
    const r = await cli(["balancer-set", ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(posts()).toHaveLength(0);
  });

  it.each([
    [["apache-balancer", "--nofailover", "yes"], /give "on" or "off"/],
    [["apache-balancer", "--timeout", "-1"], /give a whole number/],
    [["apache-balancer"], /Give at least one of --lbmethod/],
  ])("%j is a usage error before the console is asked anything", async (args, message) => {
    const r = await cli(["balancer-set", ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(requests).toHaveLength(0);
  });

  it("--help lists every setting", async () => {
    let out = "";
    const code = await run(["balancer-set", "--help"], {
      out: (t) => (out += t),
      err: () => {},
      env: { NODE_ENV: "test" },
    });
    expect(code).toBe(0);
    for (const flag of [
      "--lbmethod",
      "--nofailover",
      "--maxattempts",
      "--sticky-session",
      "--recover-time",
      "--balancer",
    ])
      expect(out).toContain(flag);
  });
});
