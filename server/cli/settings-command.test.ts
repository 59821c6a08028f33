/**
 * `clusterdeck set`: what goes to the console (one POST …/settings per setting, in order), how each result is
 * printed, the exit code, and values refused before anything is sent. A small in-process console stands in.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { run } from "@/server/cli/main";

interface TRequest {
  method: string;
  url: string;
  body: unknown;
}

const requests: TRequest[] = [];
let url = "";
const server = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const body = raw ? (JSON.parse(raw) as { setting?: { name: string; value: string | number } }) : undefined;
    requests.push({ method: req.method!, url: req.url!, body });
    const setting = body?.setting;
    // lbset: only the httpd frontend has it; mod_jk answers unsupported. A route "bad" is not confirmed.
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
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        cluster: "shop",
        member: "tomcat2",
        action: "member.setSetting",
        overall: bmOutcome === "done" ? "done" : "partial",
        frontends: [frontend(1, "apache-balancer", bmOutcome), frontend(2, "mod-jk", jkOutcome)],
        auditId: 7,
      }),
    );
  });
});

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const code = await run([...args, "--cluster", "shop"], {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
    env: { NODE_ENV: "test", CLUSTERDECK_URL: url, CLUSTERDECK_TOKEN: "cdk_test" },
  });
  return { code, out, err };
}

describe("clusterdeck set", () => {
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
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
