/**
 * Balancer-level settings on the wire (balancer-manager POST without `w`, jkstatus cmd=update without `sw`)
 * and values refused before sending, against a small in-process server that records each request.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apacheBalancerAdapter } from "@/server/adapters/frontends/apache-balancer";
import { modJkAdapter } from "@/server/adapters/frontends/mod-jk";
import { appError, snapshot, target } from "@/test-support/frontend-actions";

const BM_REPLY =
  "<?xml version='1.0' encoding='UTF-8' ?><httpd:manager xmlns:httpd='http://httpd.apache.org'><httpd:balancers></httpd:balancers></httpd:manager>";
const JK_REPLY =
  '<?xml version="1.0" encoding="UTF-8" ?><jk:status xmlns:jk="http://tomcat.apache.org"><jk:result type="OK" message="Action finished"/></jk:status>';

const requests: { method: string; url: string; body: string }[] = [];
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    requests.push({ method: req.method!, url: req.url!, body });
    res.writeHead(200, { "Content-Type": "text/xml" });
    res.end(req.url!.startsWith("/jkstatus") ? JK_REPLY : BM_REPLY);
  });
});
let base = "";

describe("balancer-level settings", () => {
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests.length = 0;
  });

  it.each([
    ["lbmethod", "bybusyness", "b_lbm=bybusyness"],
    ["nofailover", "on", "b_sforce=1"],
    ["nofailover", "off", "b_sforce=0"],
    ["timeout", "30", "b_tmo=30"],
    ["maxattempts", "2", "b_max=2"],
  ])("balancer-manager %s %s POSTs %s with the nonce and no worker", async (name, value, param) => {
    const bm = target(`${base}/balancer-manager`, "tomcats");
    await apacheBalancerAdapter.setBalancerSetting!(bm, snapshot("tomcats", "n-1"), name, value);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toBe(`b=tomcats&nonce=n-1&${param}&xml=1`);
  });

  it.each([
    ["method", "Busyness", "vlm=Busyness"],
    ["sticky_session", "off", "vls=0"],
    ["retries", "3", "vlr=3"],
    ["recover_time", "30", "vlt=30"],
  ])("jkstatus %s %s GETs cmd=update on the lb worker (no sw)", async (name, value, param) => {
    const jk = target(`${base}/jkstatus`, "lb");
    await modJkAdapter.setBalancerSetting!(jk, snapshot("lb", null), name, value);
    expect(requests.map((r) => r.url)).toEqual([`/jkstatus?cmd=update&mime=xml&w=lb&${param}`]);
  });

  it.each([
    [apacheBalancerAdapter, "lbmethod", "random", /lbmethod must be one of byrequests/],
    [apacheBalancerAdapter, "timeout", "7201", /timeout must be a whole number from 0 to 7200/],
    [apacheBalancerAdapter, "stickysession", "X", /balancer-manager has no balancer setting stickysession/],
    [modJkAdapter, "retries", "0", /retries must be a whole number from 1/],
    [modJkAdapter, "sticky_session", "yes", /sticky_session must be "on" or "off"/],
  ])("%#: %s %s is refused naming the setting, nothing sent", async (adapter, name, value, message) => {
    const t = target(`${base}/x`, "lb");
    const err = await appError(adapter.setBalancerSetting!(t, snapshot("lb", "n-1"), name, value));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(message);
    expect(requests).toHaveLength(0);
  });
});
