/**
 * apache-balancer actions against a small in-process server: what exactly goes on the wire to
 * balancer-manager, and how refusals and bad input become AppErrors. The real httpd is covered by
 * actions.int.test.ts beside this file.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import { apacheBalancerAdapter } from "@/server/adapters/frontends/apache-balancer";
import { formatLoadfactor } from "@/server/adapters/frontends/apache-balancer/actions";
import { parseBalancerManagerXml } from "@/server/adapters/frontends/apache-balancer/parse";
import type { TAdminState } from "@/server/domain/member-state";
import { appError, snapshot, target } from "@/test-support/frontend-actions";

/** The XML balancer-manager answers a POST with xml=1 (captured from httpd 2.4.71). */
const BM_POST_REPLY = fs.readFileSync(
  path.join(import.meta.dirname, "__fixtures__", "56-post-with-xml=1-drain-node1.response.xml"),
  "utf8",
);

interface TRecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Like startCannedServer, but also keeps each request's body (balancer-manager changes travel in it). */
async function startRecordingServer(path: string) {
  const requests: TRecordedRequest[] = [];
  let reply = { status: 200, body: BM_POST_REPLY, contentType: "text/xml" };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(reply.status, { "Content-Type": reply.contentType });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    setReply: (status: number, body: string, contentType = "text/xml") => {
      reply = { status, body, contentType };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("apache-balancer actions (balancer-manager POST)", () => {
  const NONCE = "ffdc5c4a-cce9-9ac7-2157-93903182185a";
  const MEMBER = "http://127.0.0.1:9002";
  const balancer = snapshot("mycluster", NONCE);
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  let bm: TFrontendTarget;

  beforeAll(async () => {
    server = await startRecordingServer("/balancer-manager");
    bm = target(server.url, "mycluster");
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.setReply(200, BM_POST_REPLY);
  });

  function lastRequest(): TRecordedRequest {
    expect(server.requests).toHaveLength(1);
    return server.requests[0]!;
  }

  it("offers all five states and 1-100 weights with decimals; every state reads back as itself", () => {
    expect(apacheBalancerAdapter.capabilities.adminStates).toEqual([
      "active",
      "draining",
      "disabled",
      "stopped",
      "standby",
    ]);
    expect(apacheBalancerAdapter.capabilities.weight).toEqual({ min: 1, max: 100, integer: false });
    for (const state of apacheBalancerAdapter.capabilities.adminStates) {
      expect(apacheBalancerAdapter.observedStateFor(state)).toBe(state);
    }
  });

  const FLAGS_FOR: [TAdminState, string][] = [
    ["draining", "w_status_N=1&w_status_D=0&w_status_S=0&w_status_H=0&w_status_R=0"],
    ["disabled", "w_status_N=0&w_status_D=1&w_status_S=0&w_status_H=0&w_status_R=0"],
    ["stopped", "w_status_N=0&w_status_D=0&w_status_S=1&w_status_H=0&w_status_R=0"],
    ["standby", "w_status_N=0&w_status_D=0&w_status_S=0&w_status_H=1&w_status_R=0"],
    ["active", "w_status_N=0&w_status_D=0&w_status_S=0&w_status_H=0&w_status_R=0"],
  ];
  it.each(FLAGS_FOR)("%s POSTs all five admin flags in the body, with Referer and nonce", async (state, flags) => {
    await apacheBalancerAdapter.setAdminState(bm, balancer, MEMBER, state);
    const req = lastRequest();
    expect(req.method).toBe("POST");
    // POST reads only the body: nothing may ride in the query string.
    expect(req.url).toBe("/balancer-manager");
    expect(req.headers.referer).toBe(bm.url);
    expect(req.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req.body).toBe(`b=mycluster&w=http%3A%2F%2F127.0.0.1%3A9002&nonce=${NONCE}&${flags}&xml=1`);
    // Ignore-errors and the health-check flag belong to config and mod_proxy_hcheck, never to us.
    expect(req.body).not.toMatch(/w_status_[IC]/);
  });

  it("sends basic auth when the frontend has credentials", async () => {
    await apacheBalancerAdapter.setAdminState(
      { ...bm, username: "ops", password: "s3cret" },
      balancer,
      MEMBER,
      "draining",
    );
    expect(lastRequest().headers.authorization).toBe(`Basic ${Buffer.from("ops:s3cret").toString("base64")}`);
  });

  it.each([
    [1.5, "1.5"],
    [3, "3"],
    [1, "1"],
    [100, "100"],
    // "2.3" would become 2.29 in httpd ((int)(2.3 * 100.0) is 229): half a hundredth is added.
    [2.3, "2.305"],
  ])("setWeight(%s) POSTs w_lf=%s", async (weight, sent) => {
    await apacheBalancerAdapter.setWeight(bm, balancer, MEMBER, weight);
    expect(lastRequest().body).toBe(`b=mycluster&w=http%3A%2F%2F127.0.0.1%3A9002&nonce=${NONCE}&w_lf=${sent}&xml=1`);
  });

  it("every loadfactor text lands on its own hundredth when httpd truncates atof(text) * 100", () => {
    for (let hundredths = 100; hundredths <= 10_000; hundredths++) {
      expect(Math.trunc(Number(formatLoadfactor(hundredths)) * 100)).toBe(hundredths);
    }
  });

  it.each([0.5, 0.99, 100.01, 101, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1.234])(
    "setWeight(%s) is refused before anything is sent (httpd would silently ignore it)",
    async (weight) => {
      const err = await appError(apacheBalancerAdapter.setWeight(bm, balancer, MEMBER, weight));
      expect(err.code).toBe("INVALID_INPUT");
      expect(server.requests).toHaveLength(0);
    },
  );

  it("an empty nonce (ProxySet nonce=None) is refused with the reason", async () => {
    const err = await appError(apacheBalancerAdapter.setAdminState(bm, snapshot("mycluster", ""), MEMBER, "draining"));
    expect(err.code).toBe("UNEXPECTED_RESPONSE");
    expect(err.message).toMatch(/nonce is empty.*nonce=None/);
    const weightErr = await appError(apacheBalancerAdapter.setWeight(bm, snapshot("mycluster", ""), MEMBER, 2));
    expect(weightErr.code).toBe("UNEXPECTED_RESPONSE");
    expect(server.requests).toHaveLength(0);
  });

  it('a member key with "%" is refused (httpd URL-decodes twice)', async () => {
    const err = await appError(
      apacheBalancerAdapter.setAdminState(bm, balancer, "http://127.0.0.1:9002/a%2Fb", "draining"),
    );
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toContain('"%"');
    expect(server.requests).toHaveLength(0);
  });

  it("a body over 1024 bytes is refused (httpd reads only the first 1024)", async () => {
    const longKey = `http://127.0.0.1:9002/${"x".repeat(1000)}`;
    const err = await appError(apacheBalancerAdapter.setAdminState(bm, balancer, longKey, "draining"));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(/1024/);
    expect(server.requests).toHaveLength(0);
  });

  it("an HTML reply (Referer refused: every parameter dropped) is an error", async () => {
    server.setReply(
      200,
      "<!DOCTYPE HTML PUBLIC><html><head><title>Balancer Manager</title></head><body></body></html>",
      "text/html",
    );
    const err = await appError(apacheBalancerAdapter.setAdminState(bm, balancer, MEMBER, "draining"));
    expect(err.code).toBe("UNEXPECTED_RESPONSE");
    expect(err.message).toMatch(/HTML instead of XML.*Referer/);
  });

  it("a 400 (httpd's only non-200 from the manager) keeps the transport's message", async () => {
    server.setReply(400, "<html><title>400 Bad Request</title></html>", "text/html");
    const err = await appError(apacheBalancerAdapter.setAdminState(bm, balancer, MEMBER, "draining"));
    expect(err.code).toBe("UNEXPECTED_RESPONSE");
    expect(err.message).toContain("HTTP 400");
  });

  describe("member settings (w_wr, w_rr, w_ls)", () => {
    /** The balancer as read from a captured page: its own nonce and the worker's own name. */
    function capturedBalancer(fixture: string, route: string) {
      const xml = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", fixture), "utf8");
      const parsed = parseBalancerManagerXml(xml).balancers.find((b) => b.name === "mycluster")!;
      return { balancer: parsed, key: parsed.members.find((m) => m.route === route)!.key };
    }

    it("declares route, redirect and lbset with httpd's limits", () => {
      expect(apacheBalancerAdapter.capabilities.memberSettings).toEqual({
        route: { maxLength: 63, clearable: false },
        redirect: { maxLength: 63, clearable: true },
        lbset: { min: 0, max: 99 },
      });
    });

    it.each([
      ["39-set-route-node2b.before.xml", "node2", "route", "node2b", "w_wr=node2b"],
      ["40-set-redirect-node1.before.xml", "node2b", "redirect", "node1", "w_rr=node1"],
      ["40-set-redirect-node1.before.xml", "node2b", "redirect", "", "w_rr="],
      ["37-set-lbset-1-node2.before.xml", "node2", "lbset", 1, "w_ls=1"],
      ["37-set-lbset-1-node2.before.xml", "node2", "lbset", 99, "w_ls=99"],
    ] as const)("from %s, %s's %s %j POSTs %s with the page's nonce", async (fixture, route, name, value, param) => {
      const { balancer: captured, key } = capturedBalancer(fixture, route);
      await apacheBalancerAdapter.setMemberSetting!(bm, captured, key, name, value);
      const req = lastRequest();
      expect(req.method).toBe("POST");
      expect(req.headers.referer).toBe(bm.url);
      const worker = encodeURIComponent(key);
      expect(req.body).toBe(`b=mycluster&w=${worker}&nonce=ffdc5c4a-cce9-9ac7-2157-93903182185a&${param}&xml=1`);
    });

    it.each([
      // httpd ignores w_ls=100 (capture 38) and CLEARS a route of 64 characters: refused before sending.
      ["lbset", 100, /lbset must be a whole number from 0 to 99/],
      ["lbset", 1.5, /lbset must be a whole number/],
      ["route", "r".repeat(64), /route is longer than 63 characters/],
      ["route", "", /route cannot be empty/],
      ["route", "a b", /route may hold only letters/],
      ["redirect", "node.1", /redirect may hold only letters/],
      ["route", 5, /route must be text/],
      ["domain", "d1", /balancer-manager has no domain setting/],
      ["distance", 1, /balancer-manager has no distance setting/],
    ] as const)("%s %j is refused naming the field, nothing sent", async (name, value, message) => {
      const err = await appError(apacheBalancerAdapter.setMemberSetting!(bm, balancer, MEMBER, name, value));
      expect(err.code).toBe("INVALID_INPUT");
      expect(err.message).toMatch(message);
      expect(server.requests).toHaveLength(0);
    });
  });
});
