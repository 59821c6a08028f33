/**
 * `clusterdeck set`: what goes to the console (one POST …/settings per setting, in order), how each result is
 * printed, the exit code, and values refused before anything is sent. A small in-process console stands in.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stubConsole } from "@/test-support/stub-console";

// lbset: only the httpd frontend has it; mod_jk answers unsupported. A route "bad" is not confirmed.
const stub = stubConsole((req) => {
  const setting = (req.body as { setting?: { name: string; value: string | number } } | undefined)?.setting;
  const jkOutcome = setting?.name === "lbset" ? "unsupported" : "done";
  const bmOutcome = setting?.value === "bad" ? "not-verified" : "done";
  const frontend = (id: number, name: string, outcome: string) => ({
    frontendId: id,
    frontend: name,
    kind: name,
    outcome,
    message: outcome === "done" ? null : outcome === "unsupported" ? "mod_jk has no lbset setting" : "still shows",
    observed: { adminState: "active", loadfactor: 1, settings: setting ? { [setting.name]: setting.value } : {} },
    durationMs: 3,
  });
  return {
    cluster: "shop",
    member: "tomcat2",
    action: "member.setSetting",
    overall: bmOutcome === "done" ? "done" : "partial",
    frontends: [frontend(1, "apache-balancer", bmOutcome), frontend(2, "mod-jk", jkOutcome)],
    auditId: 7,
  };
});
const { requests, cli } = stub;

describe("clusterdeck set", () => {
  beforeAll(stub.start);
  afterAll(stub.stop);
  beforeEach(() => {
    requests.length = 0;
  });

  it("one POST per setting, in the order of the options, each printed with what the frontends show", async () => {
    const r = await cli(["set", "tomcat2", "--route", "t2", "--lbset", "1"]);
    expect(r.code).toBe(0);
    expect(requests.map((q) => [q.method, q.url, q.body])).toEqual([
      ["POST", "/api/v1/clusters/shop/members/tomcat2/settings", { setting: { name: "route", value: "t2" } }],
      ["POST", "/api/v1/clusters/shop/members/tomcat2/settings", { setting: { name: "lbset", value: 1 } }],
    ]);
    expect(r.out).toMatch(/apache-balancer\s+done\s+route "t2"/);
    expect(r.out).toMatch(/mod-jk\s+unsupported\s+mod_jk has no lbset setting/);
    expect(r.out).toContain("done: tomcat2 lbset 1 on all 1 frontend(s)");
  });

  it("exit 1 when a frontend did not confirm", async () => {
    const r = await cli(["set", "tomcat2", "--route", "bad"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/apache-balancer\s+NOT-VERIFIED/);
  });

  it.each([
    [["--route", "t 2"], /route may hold only letters/],
    [["--lbset", "100"], /lbset must be a whole number from 0 to 99/],
    [["--distance", "-1"], /distance must be a whole number/],
    [[], /Give at least one of --route/],
  ])("%j is a usage error naming the setting, and nothing is sent", async (args, message) => {
    const r = await cli(["set", "tomcat2", ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(requests).toHaveLength(0);
  });
});
