import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeGoldenFiles } from "@/test-support/golden";
import type { TFrontendStatus, TObservedMember } from "@/server/adapters/frontends/types";
import { UnexpectedResponseError } from "@/server/errors";
import { parseBalancerManagerXml } from "./parse";

// Fixtures are real captures from Apache/2.4.71 (Debian), taken when the adapter was written (what was
// verified: docs/reference/apache-balancer-manager.md). Golden files are the reviewed parser output for each.
const FIXTURES_DIR = path.join(import.meta.dirname, "__fixtures__");

function readFixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES_DIR, name), "utf8");
}

function parseFixture(name: string): TFrontendStatus {
  return parseBalancerManagerXml(readFixture(name));
}

function findMember(status: TFrontendStatus, balancer: string, key: string): TObservedMember {
  const member = status.balancers.find((b) => b.name === balancer)?.members.find((m) => m.key === key);
  if (member === undefined) throw new Error(`no member ${key} in balancer ${balancer}`);
  return member;
}

const NODE1 = "http://127.0.0.1:9001";
const NODE2 = "http://127.0.0.1:9002";
const NODE3 = "http://127.0.0.1:9003";

describeGoldenFiles("parseBalancerManagerXml golden files", import.meta.dirname, parseBalancerManagerXml, 85);

describe("parseBalancerManagerXml key facts (hand-checked against the captures)", () => {
  it("reads both balancers of the initial capture, names without balancer://", () => {
    const status = parseFixture("02-initial.xml");
    expect(status.software).toBeNull();
    expect(status.balancers.map((b) => [b.name, b.nonce, b.members.length])).toStrictEqual([
      ["mycluster", "ffdc5c4a-cce9-9ac7-2157-93903182185a", 3],
      ["second", "7b2a72af-59f4-abce-387f-1c66a0ca9624", 2],
    ]);
    expect(status.balancers[0]?.raw).toMatchObject({ name: "balancer://mycluster", lbmethod: "byrequests" });
  });

  it("reads the element that follows </httpd:timeout> on the same line", () => {
    const second = parseFixture("02-initial.xml").balancers[1];
    expect(second?.raw).toMatchObject({ timeout: "15", maxattempts: "2", nofailover: "On", stickysession: "ROUTEID" });
  });

  it("maps worker fields and keeps one of the two loadfactor elements", () => {
    const node1 = findMember(parseFixture("02-initial.xml"), "mycluster", NODE1);
    expect(node1).toMatchObject({
      key: NODE1,
      route: "node1",
      host: "127.0.0.1",
      port: 9001,
      adminState: "active",
      health: "healthy",
      loadfactor: 2,
      lbset: 0,
      errors: null,
    });
    expect(node1.raw.loadfactor).toBe("2.00");
    expect(node1.raw.status).toBe("Init Ok");
    expect(node1.raw.redirect).toBe("");
    const standby = findMember(parseFixture("02-initial.xml"), "second", "http://127.0.0.1:9012");
    expect(standby).toMatchObject({ adminState: "standby", health: "healthy", lbset: 1, loadfactor: 1 });
  });

  it("12: drained node2 is draining and still healthy", () => {
    const status = parseFixture("12-after-drain-node2.xml");
    expect(findMember(status, "mycluster", NODE2)).toMatchObject({ adminState: "draining", health: "healthy" });
    expect(findMember(status, "mycluster", NODE1)).toMatchObject({ adminState: "active", health: "healthy" });
  });

  it("13: counters after traffic, and the Init Err worker is failing", () => {
    const status = parseFixture("13-after-traffic-node2-drained.xml");
    expect(findMember(status, "mycluster", NODE1)).toMatchObject({ elected: 7, busy: 0, bytesOut: 1417, bytesIn: 346 });
    expect(findMember(status, "mycluster", NODE2)).toMatchObject({ elected: 5, busy: 0, bytesOut: 1117, bytesIn: 320 });
    const node3 = findMember(status, "mycluster", NODE3);
    expect(node3).toMatchObject({ adminState: "active", health: "failing", elected: 1, errors: null });
    expect(node3.raw.status).toBe("Init Err");
    expect(node3.raw.error_time).toBeDefined();
  });

  it("14: busy is 3 during three slow requests on the drained member", () => {
    const status = parseFixture("14-during-3-slow-requests-node2.xml");
    expect(findMember(status, "mycluster", NODE2)).toMatchObject({ busy: 3, elected: 8, adminState: "draining" });
    expect(findMember(status, "mycluster", NODE1).busy).toBe(0);
  });

  it("21/23: disabled and stopped members are healthy backends with the matching admin state", () => {
    expect(findMember(parseFixture("21-disable-node2.after.xml"), "mycluster", NODE2)).toMatchObject({
      adminState: "disabled",
      health: "healthy",
    });
    expect(findMember(parseFixture("23-stop-node2.after.xml"), "mycluster", NODE2)).toMatchObject({
      adminState: "stopped",
      health: "healthy",
    });
  });

  it("28/29/31/42: hot spare, ignore-errors, health-check failure, drain+disable", () => {
    // Captured "Init Spar Ok " on httpd 2.4.71: the hot-spare state, a standby flagged as spare.
    expect(findMember(parseFixture("28-hotspare-off-node2.before.xml"), "mycluster", NODE2)).toMatchObject({
      adminState: "standby",
      hotSpare: true,
    });
    expect(findMember(parseFixture("28-hotspare-off-node2.after.xml"), "mycluster", NODE2).hotSpare).toBeUndefined();
    // The hot standby (Stby) of the same capture is not a spare.
    const standby = findMember(parseFixture("28-hotspare-off-node2.before.xml"), "second", "http://127.0.0.1:9012");
    expect(standby).toMatchObject({ adminState: "standby" });
    expect(standby.hotSpare).toBeUndefined();
    expect(findMember(parseFixture("29-ignore-errors-on-node2.after.xml"), "mycluster", NODE2)).toMatchObject({
      adminState: "active",
      health: "healthy",
    });
    expect(findMember(parseFixture("31-hcfail-on-node2.after.xml"), "mycluster", NODE2)).toMatchObject({
      adminState: "active",
      health: "failing",
    });
    const both = findMember(parseFixture("42-restore-node2.before.xml"), "mycluster", NODE2);
    expect(both.raw.status).toBe("Init Drn Dis");
    expect(both.adminState).toBe("disabled");
  });

  it("34/37/39: decimal loadfactor, lbset and route changes", () => {
    expect(findMember(parseFixture("34-set-loadfactor-1.5-node2.after.xml"), "mycluster", NODE2).loadfactor).toBe(1.5);
    expect(findMember(parseFixture("37-set-lbset-1-node2.after.xml"), "mycluster", NODE2).lbset).toBe(1);
    expect(findMember(parseFixture("39-set-route-node2b.after.xml"), "mycluster", NODE2).route).toBe("node2b");
  });

  it("53: a worker added at runtime starts disabled with no route", () => {
    const added = findMember(
      parseFixture("53-balancer-second-add-worker.after.xml"),
      "second",
      "http://127.0.0.1:9013",
    );
    expect(added).toMatchObject({ route: "", adminState: "disabled", health: "healthy", loadfactor: 1, port: 9013 });
  });

  it("56: the XML a POST with xml=1 returns shows the change it applied", () => {
    const node1 = findMember(parseFixture("56-post-with-xml=1-drain-node1.response.xml"), "mycluster", NODE1);
    expect(node1.adminState).toBe("draining");
  });

  it("70: a fixed nonce is read as is and nonce=None gives an empty (not null) nonce", () => {
    const nonces = Object.fromEntries(
      parseFixture("70-nonce-fixed-and-none.xml").balancers.map((b) => [b.name, b.nonce]),
    );
    expect(nonces).toMatchObject({ fixednonce: "s3cr3t-fixed-nonce", nononce: "" });
  });
});

describe("parseBalancerManagerXml tolerance (inputs derived from 02-initial.xml)", () => {
  const initial = readFixture("02-initial.xml");

  it("parses by local name, whatever the prefix", () => {
    const renamed = initial.replaceAll("httpd:", "bm:").replace("xmlns:httpd=", "xmlns:bm=");
    const unprefixed = initial.replaceAll("httpd:", "").replace(" xmlns:httpd='http://httpd.apache.org'", "");
    expect(parseBalancerManagerXml(renamed)).toStrictEqual(parseBalancerManagerXml(initial));
    expect(parseBalancerManagerXml(unprefixed)).toStrictEqual(parseBalancerManagerXml(initial));
  });

  it("takes the port from <port> when the name leaves the default port out", () => {
    const ajp = initial
      .replace("<httpd:name>http://127.0.0.1:9001</httpd:name>", "<httpd:name>ajp://127.0.0.1</httpd:name>")
      .replace("<httpd:port>9001</httpd:port>", "<httpd:port>8009</httpd:port>");
    const member = findMember(parseBalancerManagerXml(ajp), "mycluster", "ajp://127.0.0.1");
    expect(member.port).toBe(8009);
  });

  it("decodes the entities httpd's ap_escape_html writes into route", () => {
    const escaped = initial.replace("<httpd:route>node1</httpd:route>", "<httpd:route>a&amp;b&lt;c</httpd:route>");
    expect(findMember(parseBalancerManagerXml(escaped), "mycluster", NODE1).route).toBe("a&b<c");
  });

  it("rejects a worker whose counter is not a number", () => {
    const broken = initial.replace("<httpd:elected>0</httpd:elected>", "<httpd:elected>many</httpd:elected>");
    expect(() => parseBalancerManagerXml(broken)).toThrow(
      /worker "http:\/\/127\.0\.0\.1:9001" of balancer "mycluster".*elected/,
    );
  });

  it("rejects a worker without a status", () => {
    const broken = initial.replace("<httpd:status>Init Ok </httpd:status>", "");
    expect(() => parseBalancerManagerXml(broken)).toThrow(/no <httpd:status> element/);
  });
});

describe("parseBalancerManagerXml rejects what is not a balancer-manager XML document", () => {
  it("says HTML came back when the Referer was missing (01-initial.html)", () => {
    const attempt = () => parseBalancerManagerXml(readFixture("01-initial.html"));
    expect(attempt).toThrow(UnexpectedResponseError);
    expect(attempt).toThrow(/^balancer-manager returned HTML instead of XML: the Referer header was missing/);
  });

  it.each([
    ["an empty body", ""],
    ["plain text", "Not Found"],
    ["another XML document", "<?xml version='1.0'?><status><result type='OK'/></status>"],
  ])("rejects %s", (_label, body) => {
    expect(() => parseBalancerManagerXml(body)).toThrow(UnexpectedResponseError);
  });

  it("rejects XML the parser cannot read", () => {
    const attempt = () => parseBalancerManagerXml('<httpd:manager><httpd:balancers x="1></httpd:manager>');
    expect(attempt).toThrow(UnexpectedResponseError);
    expect(attempt).toThrow(/^balancer-manager returned malformed XML/);
  });

  it("rejects an element left open (its parent's end tag closes it)", () => {
    const broken = readFixture("02-initial.xml").replace("</httpd:route>", "");
    expect(() => parseBalancerManagerXml(broken)).toThrow(
      /^balancer-manager returned malformed XML: <httpd:route> is not closed/,
    );
  });

  it("rejects a response cut off mid-document instead of returning fewer members", () => {
    const initial = readFixture("02-initial.xml");
    const truncated = initial.slice(0, initial.indexOf("<httpd:name>http://127.0.0.1:9003</httpd:name>"));
    expect(() => parseBalancerManagerXml(truncated)).toThrow(/truncated/);
  });
});
