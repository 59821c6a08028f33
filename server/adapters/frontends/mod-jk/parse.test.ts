import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeGoldenFiles } from "@/test-support/golden";
import type { TObservedMember } from "@/server/adapters/frontends/types";
import { UnexpectedResponseError } from "@/server/errors";
import { type TJkStatusDocument, jkResultIsError, parseJkStatusXml } from "./parse";

// Fixtures are real captures from Apache/2.4.71 + mod_jk/1.2.48, taken when the adapter was written (what was
// verified: docs/reference/mod-jk-status.md). Golden files are the reviewed parser output for each.
const FIXTURES_DIR = path.join(import.meta.dirname, "__fixtures__");
const XML_FIXTURES = fs
  .readdirSync(FIXTURES_DIR)
  .filter((name) => name.endsWith(".xml"))
  .sort();

function readFixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES_DIR, name), "utf8");
}

function parseFixture(name: string): TJkStatusDocument {
  return parseJkStatusXml(readFixture(name));
}

function findMember(document: TJkStatusDocument, key: string): TObservedMember {
  const member = document.balancers.find((b) => b.name === "lb")?.members.find((m) => m.key === key);
  if (member === undefined) throw new Error(`no member ${key} in lb`);
  return member;
}

const SOFTWARE = "Apache/2.4.71 (Debian) mod_jk/1.2.48";

describeGoldenFiles("parseJkStatusXml golden files", import.meta.dirname, parseJkStatusXml, 79);

describe("parseJkStatusXml key facts (hand-checked against the captures)", () => {
  it("02 cmd=list: the lb inside <balancers>, the plain ajp worker ignored", () => {
    const list = parseFixture("02-list.xml");
    expect(list.software).toBe(SOFTWARE);
    expect(list.serverTime).toBe(1795312629);
    expect(list.result).toStrictEqual({ type: "OK", message: "Action finished" });
    expect(list.balancers).toHaveLength(1);
    const lb = list.balancers[0];
    expect(lb).toMatchObject({ name: "lb", nonce: null });
    expect(lb?.raw).toMatchObject({ sticky_session: "True", method: "Request", member_count: "3", good: "3" });
    expect(lb?.members.map((m) => [m.key, m.route, m.host, m.port, m.loadfactor, m.lbset])).toStrictEqual([
      ["tc1", "tc1", "127.0.0.1", 8009, 1, 0],
      ["tc2", "tc2", "127.0.0.1", 8019, 2, 0],
      ["tc3", "tc3", "127.0.0.1", 8029, 1, 0],
    ]);
    expect(findMember(list, "tc1")).toMatchObject({ adminState: "active", health: "healthy", errors: 0 });
    expect(findMember(list, "tc1").raw).toMatchObject({ state: "OK/IDLE", address: "127.0.0.1:8009", lbmult: "2" });
  });

  it("03 cmd=show w=lb: the <balancer> sits directly under <status>", () => {
    const show = parseFixture("03-show-lb.xml");
    expect(show.balancers.map((b) => [b.name, b.members.length])).toStrictEqual([["lb", 3]]);
  });

  it("04 a single member still comes out as a list", () => {
    const member = parseFixture("04-show-lb-member-tc1.xml");
    expect(member.balancers[0]?.members.map((m) => m.key)).toStrictEqual(["tc1"]);
  });

  it.each([
    ["05-show-single.xml", "a plain ajp worker"],
    ["06-version.xml", "the version"],
    ["08-dump-config.xml", "the startup configuration"],
  ])("%s (%s) has no balancers but a software and time", (fixture) => {
    const document = parseFixture(fixture);
    expect(document.balancers).toStrictEqual([]);
    expect(document.software).toBe(SOFTWARE);
    expect(document.serverTime).not.toBeNull();
    expect(document.result?.type).toBe("OK");
  });

  it("07 opt=3 hides members: the lb is there with none", () => {
    expect(parseFixture("07-list-opt3-no-members-no-maps.xml").balancers.map((b) => [b.name, b.members])).toStrictEqual(
      [["lb", []]],
    );
  });

  it("10 after traffic: tc3 is ERR, failing, with one error", () => {
    const afterTraffic = parseFixture("10-after-traffic-show-lb.xml");
    expect(findMember(afterTraffic, "tc3")).toMatchObject({
      adminState: "active",
      health: "failing",
      errors: 1,
      elected: 1,
      busy: 0,
    });
    expect(findMember(afterTraffic, "tc3").raw.state).toBe("ERR");
    expect(findMember(afterTraffic, "tc1")).toMatchObject({
      health: "healthy",
      elected: 5,
      bytesOut: 1109,
      bytesIn: 1085,
    });
  });

  it("20/22: vwa=1 drains tc1 (mod_jk DIS), vwa=2 stops it", () => {
    expect(findMember(parseFixture("20-update-disable-tc1-vwa1.before.xml"), "tc1").adminState).toBe("active");
    expect(findMember(parseFixture("20-update-disable-tc1-vwa1.after.xml"), "tc1")).toMatchObject({
      adminState: "draining",
      health: "healthy",
    });
    expect(findMember(parseFixture("22-update-stop-tc1-vwa2.after.xml"), "tc1")).toMatchObject({
      adminState: "stopped",
      health: "healthy",
    });
  });

  it("33: route, distance (as lbset), redirect and domain of tc1", () => {
    const tc1 = findMember(parseFixture("33-update-redirect-domain-distance-tc1.after.xml"), "tc1");
    expect(tc1).toMatchObject({ route: "tc1b", lbset: 1, loadfactor: 5 });
    expect(tc1.raw).toMatchObject({ redirect: "tc2", domain: "dom1", distance: "1" });
  });

  it("43: att=vwa disables the second member only", () => {
    const document = parseFixture("43-update-all-members-activation-att.after.xml");
    expect(document.balancers[0]?.members.map((m) => m.adminState)).toStrictEqual(["active", "draining", "active"]);
  });

  it("70: recover moves tc3 from ERR (failing) to ERR/REC (recovering)", () => {
    expect(findMember(parseFixture("70-recover-tc3.before.xml"), "tc3").health).toBe("failing");
    expect(findMember(parseFixture("70-recover-tc3.after.xml"), "tc3")).toMatchObject({
      health: "recovering",
      adminState: "active",
      errors: 1,
    });
  });

  it("72: resetting the lb zeroes counters and clears ERR", () => {
    const members = parseFixture("72-reset-lb-all-members.after.xml").balancers[0]?.members ?? [];
    expect(members.map((m) => [m.health, m.elected, m.errors, m.bytesOut, m.bytesIn])).toStrictEqual([
      ["healthy", 0, 0, 0, 0],
      ["healthy", 0, 0, 0, 0],
      ["healthy", 0, 0, 0, 0],
    ]);
  });
});

describe("parseJkStatusXml results", () => {
  // Every XML error capture of docs/reference/mod-jk-status.md §7 (56 is txt only; 60 is a successful list).
  const ERROR_RESULTS: [fixture: string, message: string][] = [
    ["50-err-unknown-worker.xml", "Could not find given worker"],
    ["51-err-unknown-subworker.xml", "could not find sub worker"],
    ["52-err-no-worker-param.xml", "NULL or EMPTY worker param"],
    ["53-err-readonly-worker-update.xml", "This command is not allowed in read only mode."],
    ["54-err-opt32-readonly-flag-update.xml", "This command is not allowed in read only mode."],
    ["55-err-unknown-cmd.xml", "Invalid command."],
    ["57-err-recover-non-error-member.xml", "Marking worker for recovery failed"],
    ["58-err-wildcard-not-allowed-for-reset.xml", "wildcard not allowed in sub worker for this command"],
    ["59-err-sub-worker-of-ajp.xml", "worker type has no sub workers"],
    ["61-err-readonly-worker-reset.xml", "This command is not allowed in read only mode."],
    ["62-err-readonly-worker-edit.xml", "This command is not allowed in read only mode."],
    [
      "63-err-route-too-long.xml",
      `Update failed (at least partially): new route '${"r".repeat(80)}' too long for sub worker 'tc1', see log file for details.`,
    ],
  ];

  it("knows every error capture", () => {
    const errorFixtures = XML_FIXTURES.filter((name) => /^(5\d|6\d)-err-/.test(name));
    expect(errorFixtures).toStrictEqual(ERROR_RESULTS.map(([fixture]) => fixture));
  });

  it.each(ERROR_RESULTS)("%s is an ERROR result with its message", (fixture, message) => {
    const document = parseFixture(fixture);
    expect(document).toStrictEqual({
      software: null,
      balancers: [],
      result: { type: "ERROR", message },
      serverTime: null,
    });
    expect(jkResultIsError(document.result)).toBe(true);
  });

  const UPDATE_RESPONSES = XML_FIXTURES.filter((name) => name.endsWith(".response.xml"));

  it("has the response of every action", () => {
    expect(UPDATE_RESPONSES).toHaveLength(18);
  });

  it.each(UPDATE_RESPONSES)("%s is an OK result with no balancers", (fixture) => {
    const document = parseFixture(fixture);
    expect(document).toStrictEqual({
      software: null,
      balancers: [],
      result: { type: "OK", message: "Action finished" },
      serverTime: null,
    });
    expect(jkResultIsError(document.result)).toBe(false);
  });

  it("60: a read-only status worker still lists normally", () => {
    const document = parseFixture("60-readonly-worker-list-ok.xml");
    expect(document.result?.type).toBe("OK");
    expect(document.balancers[0]?.members).toHaveLength(3);
  });

  it("jkResultIsError treats anything but OK as an error, and no result as none", () => {
    expect(jkResultIsError({ type: "OK", message: "Action finished" })).toBe(false);
    expect(jkResultIsError({ type: "ERROR", message: "x" })).toBe(true);
    expect(jkResultIsError({ type: "", message: "" })).toBe(true);
    expect(jkResultIsError(null)).toBe(false);
  });
});

describe("parseJkStatusXml tolerance (inputs derived from 03-show-lb.xml)", () => {
  const show = readFixture("03-show-lb.xml");

  it("parses by local name: another `ns` prefix, or none (ns=-, xmlns=-)", () => {
    const renamed = show.replaceAll("<jk:", "<x:").replaceAll("</jk:", "</x:").replace("xmlns:jk=", "xmlns:x=");
    const unprefixed = show
      .replaceAll("<jk:", "<")
      .replaceAll("</jk:", "</")
      .replace('\n  xmlns:jk="http://tomcat.apache.org"', "");
    expect(unprefixed).not.toContain("jk:");
    expect(parseJkStatusXml(renamed)).toStrictEqual(parseJkStatusXml(show));
    expect(parseJkStatusXml(unprefixed)).toStrictEqual(parseJkStatusXml(show));
  });

  it("takes unescaped attribute values verbatim", () => {
    const odd = show
      .replace('route="tc1"', 'route="a&b<c>d"')
      .replace('name="tc2"', 'name="tc&amp;2"')
      .replace('domain=""', 'domain="x > y"');
    const document = parseJkStatusXml(odd);
    expect(findMember(document, "tc1").route).toBe("a&b<c>d");
    expect(findMember(document, "tc1").raw.domain).toBe("x > y");
    expect(document.balancers[0]?.members.map((m) => m.key)).toStrictEqual(["tc1", "tc&amp;2", "tc3"]);
  });

  it("rejects a member whose counter is not a number", () => {
    const broken = show.replace('elected="0"', 'elected="lots"');
    expect(() => parseJkStatusXml(broken)).toThrow(/member "tc1" of lb "lb" has a non-integer elected="lots"/);
  });

  it("rejects a response cut off mid-document instead of returning fewer members", () => {
    const truncated = show.slice(0, show.indexOf('name="tc3"'));
    expect(() => parseJkStatusXml(truncated)).toThrow(/truncated/);
  });
});

describe("parseJkStatusXml rejects what is not a jkstatus XML document", () => {
  it("says HTML came back when mime=xml was not asked for (01-list.html)", () => {
    const attempt = () => parseJkStatusXml(readFixture("01-list.html"));
    expect(attempt).toThrow(UnexpectedResponseError);
    expect(attempt).toThrow(/^jkstatus returned HTML instead of XML: add mime=xml/);
  });

  it.each([
    ["an empty body", ""],
    ["the txt format", 'Server: name=127.0.0.1 port=8091\nResult: type=OK message="Action finished"\n'],
    ["the prop format", "worker.result.type=OK\nworker.result.message=Action finished\n"],
    [
      "balancer-manager XML",
      "<?xml version='1.0'?><httpd:manager xmlns:httpd='http://httpd.apache.org'></httpd:manager>",
    ],
    ["an empty status", '<?xml version="1.0"?><jk:status xmlns:jk="http://tomcat.apache.org"></jk:status>'],
  ])("rejects %s", (_label, body) => {
    expect(() => parseJkStatusXml(body)).toThrow(UnexpectedResponseError);
  });
});
