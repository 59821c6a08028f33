import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeGoldenFiles } from "@/test-support/golden";
import type { TFrontendStatus, TObservedMember } from "@/server/adapters/frontends/types";
import { haproxyCommandError, haproxyStatusCommand, parseHaproxyStatus } from "./parse";

// Real answers of the lab's HAProxy 2.6.12 (Debian bookworm) runtime API, captured with lab.sh's frontend C over the
// three lab Tomcats (docs/reference/haproxy-runtime-api.md §6 says how). Status captures are the answer to
// haproxyStatusCommand("tomcats"); *.response.txt are answers to one `set server` command.
const FIXTURES_DIR = path.join(import.meta.dirname, "__fixtures__");
const SOFTWARE = "HAProxy 2.6.12-1+deb12u4";

/** What the golden files hold: the parsed status, the refusal of a set command, or the parse error. */
function parseCapture(text: string): unknown {
  if (!text.includes("# pxname,") && !text.startsWith("Name: HAProxy"))
    return { commandError: haproxyCommandError(text) };
  try {
    return parseHaproxyStatus(text);
  } catch (err) {
    return { parseError: (err as Error).message };
  }
}

function readStatus(name: string): TFrontendStatus {
  return parseHaproxyStatus(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.txt`), "utf8"));
}

function member(status: TFrontendStatus, key: string): TObservedMember {
  const found = status.balancers.find((b) => b.name === "tomcats")?.members.find((m) => m.key === key);
  if (!found) throw new Error(`no server ${key} in tomcats`);
  return found;
}

const states = (status: TFrontendStatus) =>
  status.balancers[0]!.members.map((m) => [m.key, m.adminState, m.health, m.loadfactor]);

describeGoldenFiles("parseHaproxyStatus golden files", import.meta.dirname, parseCapture, 17, ".txt");

describe("parseHaproxyStatus key facts (hand-checked against the captures)", () => {
  it("asks for info, the backend and its servers, and the servers' state", () => {
    expect(haproxyStatusCommand("tomcats")).toBe("show info; show stat tomcats 6 -1; show servers state tomcats");
  });

  it("01 all UP: one balancer, three servers with address, port, weight and counters", () => {
    const status = readStatus("01-all-up");
    expect(status.software).toBe(SOFTWARE);
    expect(status.balancers.map((b) => [b.name, b.nonce, b.raw.algo, b.raw.status])).toStrictEqual([
      ["tomcats", null, "roundrobin", "UP"],
    ]);
    expect(
      status.balancers[0]!.members.map((m) => [
        m.key,
        m.route,
        m.host,
        m.port,
        m.adminState,
        m.health,
        m.loadfactor,
        m.lbset,
      ]),
    ).toStrictEqual([
      ["tomcat1", "tomcat1", "127.0.0.1", 18081, "active", "healthy", 1, 0],
      ["tomcat2", "tomcat2", "127.0.0.1", 18082, "active", "healthy", 1, 0],
      ["tomcat3", "tomcat3", "127.0.0.1", 18083, "active", "healthy", 1, 0],
    ]);
    expect(member(status, "tomcat1")).toMatchObject({ elected: 8, busy: 0, errors: 0 });
    expect(member(status, "tomcat1").bytesOut).toBeGreaterThan(0);
    expect(member(status, "tomcat1").bytesIn).toBeGreaterThan(member(status, "tomcat1").bytesOut);
    expect(member(status, "tomcat1").raw).toMatchObject({
      status: "UP",
      check_status: "L7OK",
      "state.srv_admin_state": "0",
      "state.srv_op_state": "2",
    });
  });

  it("02 drain: DRAIN in show stat, admin bit 0x08, weight kept", () => {
    const status = readStatus("02-drain-tomcat2");
    expect(member(status, "tomcat2")).toMatchObject({ adminState: "draining", health: "healthy", loadfactor: 1 });
    expect(member(status, "tomcat2").raw).toMatchObject({ status: "DRAIN", "state.srv_admin_state": "8" });
  });

  it("03 maint: stopped, no health reading (HAProxy runs no check in MAINT)", () => {
    expect(states(readStatus("03-maint-tomcat3"))).toStrictEqual([
      ["tomcat1", "active", "healthy", 1],
      ["tomcat2", "active", "healthy", 1],
      ["tomcat3", "stopped", "unknown", 1],
    ]);
  });

  it("04 weight 5: the user weight (srv_uweight)", () => {
    expect(member(readStatus("04-weight-5-tomcat2"), "tomcat2").loadfactor).toBe(5);
  });

  it("05 a killed Tomcat: DOWN, failing, still active", () => {
    const tomcat1 = member(readStatus("05-down-tomcat1"), "tomcat1");
    expect([tomcat1.adminState, tomcat1.health, tomcat1.raw.status, tomcat1.raw.check_status]).toStrictEqual([
      "active",
      "failing",
      "DOWN",
      "L4CON",
    ]);
  });

  it("06 drained while DOWN: show stat only says DOWN, the admin bits keep the drain", () => {
    const tomcat1 = member(readStatus("06-down-and-drained-tomcat1"), "tomcat1");
    expect([tomcat1.adminState, tomcat1.health, tomcat1.raw.status]).toStrictEqual(["draining", "failing", "DOWN"]);
  });

  it("07 maint while DOWN: stopped", () => {
    expect(member(readStatus("07-down-and-maint-tomcat1"), "tomcat1")).toMatchObject({
      adminState: "stopped",
      health: "unknown",
    });
  });

  it("08 after the restart: UP again", () => {
    expect(states(readStatus("08-after-restart-tomcat1")).every(([, a, h]) => a === "active" && h === "healthy")).toBe(
      true,
    );
  });

  it("55 an unknown backend: HAProxy's own messages", () => {
    expect(() => readStatus("55-err-unknown-backend-status")).toThrow(
      "HAProxy runtime API: No such proxy. / Can't find backend.",
    );
  });

  it.each([
    ["02-drain-tomcat2.response", null],
    ["50-err-weight-300.response", "Absolute weight can only be between 0 and 256 inclusive."],
    ["52-err-no-such-server.response", "No such server."],
    ["54-err-bad-state.response", "'set server <srv> state' expects 'ready', 'drain' and 'maint'."],
  ])("%s → %j", (name, expected) => {
    expect(haproxyCommandError(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.txt`), "utf8"))).toBe(expected);
  });
});

describe("parseHaproxyStatus on what is not the expected answer", () => {
  const csvHeader = "# pxname,svname,status,type\n";
  const stateHeader =
    "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_port\n";

  it.each([
    ["an empty answer", "", /expected "show stat" CSV and "show servers state"/],
    ["an HTTP page", "<html><body>hello</body></html>\n", /<html>/],
    ["only the CSV", `${csvHeader}tomcats,BACKEND,UP,1\n\n`, /expected "show stat" CSV/],
    ["the permission error of a level user socket", "Permission denied\n\n", /Permission denied/],
  ])("%s", (_what, text, message) => {
    expect(() => parseHaproxyStatus(text)).toThrow(message);
  });

  it("a server missing from show servers state", () => {
    const text = `${csvHeader}b,s1,UP,2\nb,BACKEND,UP,1\n\n${stateHeader}\n`;
    expect(() => parseHaproxyStatus(text)).toThrow("server s1 is in show stat but not in show servers state");
  });

  it("a non-numeric admin state", () => {
    const text = `${csvHeader}b,s1,UP,2\nb,BACKEND,UP,1\n\n${stateHeader}3 b 1 s1 127.0.0.1 2 x 1 1 80\n\n`;
    expect(() => parseHaproxyStatus(text)).toThrow(/no integer srv_admin_state/);
  });

  it("a backend without servers is a balancer with none", () => {
    const status = parseHaproxyStatus(`${csvHeader}b,BACKEND,DOWN,1\n\n${stateHeader}\n`);
    expect(status).toStrictEqual({
      software: null,
      balancers: [
        { name: "b", nonce: null, raw: { pxname: "b", svname: "BACKEND", status: "DOWN", type: "1" }, members: [] },
      ],
    });
  });
});
