import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { editServerParams, editUpstreamFile, parseUpstreamFile } from "./upstream-file";
import { parseStubStatus } from "./stub-status";
import { parseNginxStatus, type TNginxStatusDocument } from "./status";
import { parseNginxOptions } from "./options";

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");
const LAB = fixture("lab-upstream.conf");
const QUIRKS = fixture("quirks-upstream.conf");

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
}

describe("parseUpstreamFile", () => {
  it("reads the lab's include file (hash, three servers, max_fails/fail_timeout)", () => {
    const [u, ...rest] = parseUpstreamFile(LAB);
    expect(rest).toHaveLength(0);
    expect(u!.name).toBe("tomcats");
    expect(u!.method).toBe("hash");
    expect(u!.methodDirective).toBe("hash $lab_sticky_key consistent");
    expect(u!.allowsBackup).toBe(false);
    expect(
      u!.servers.map((s) => [s.address, s.host, s.port, s.weight, s.maxFails, s.failTimeout, s.down, s.backup]),
    ).toStrictEqual([
      ["127.0.0.1:18081", "127.0.0.1", 18081, 1, 1, "5s", false, false],
      ["127.0.0.1:18082", "127.0.0.1", 18082, 1, 1, "5s", false, false],
      ["127.0.0.1:18083", "127.0.0.1", 18083, 1, 1, "5s", false, false],
    ]);
  });

  it("reads comments, quoted tokens, defaults, backup/down, IPv6, unix sockets and several upstreams", () => {
    const [backend, rr] = parseUpstreamFile(QUIRKS);
    expect(backend!.method).toBe("least_conn");
    expect(backend!.allowsBackup).toBe(true);
    expect(
      backend!.servers.map((s) => ({
        a: s.address,
        h: s.host,
        p: s.port,
        w: s.weight,
        mf: s.maxFails,
        ft: s.failTimeout,
        b: s.backup,
        d: s.down,
      })),
    ).toStrictEqual([
      { a: "10.10.49.23:8080", h: "10.10.49.23", p: 8080, w: 1, mf: 1, ft: "10s", b: false, d: false },
      { a: "tomcat2.lan", h: "tomcat2.lan", p: 80, w: 3, mf: 1, ft: "10s", b: true, d: false },
      { a: "[::1]:8081", h: "::1", p: 8081, w: 2, mf: 1, ft: "10s", b: false, d: true },
      { a: "unix:/run/app.sock", h: null, p: null, w: 1, mf: 1, ft: "10s", b: false, d: false },
      { a: "10.0.0.9:8080", h: "10.0.0.9", p: 8080, w: 1, mf: 1, ft: "10s", b: false, d: false },
    ]);
    expect(backend!.servers[4]!.params).toStrictEqual(["max_conns=100"]);
    expect(rr!.method).toBe("round-robin");
    expect(rr!.methodDirective).toBeNull();
    expect(rr!.allowsBackup).toBe(true);
  });

  it("knows which methods refuse backup (verified with nginx -t 1.22.1)", () => {
    const method = (m: string) => parseUpstreamFile(`upstream u { ${m} server a:1; }`)[0]!.allowsBackup;
    expect([
      method("ip_hash;"),
      method("hash $x;"),
      method("random two;"),
      method("least_conn;"),
      method(""),
    ]).toStrictEqual([false, false, false, true, true]);
  });

  it.each([
    ["upstream u { server a:1 }", /line 1: directive "server" is not terminated by ";"/],
    ["upstream u {\n server a:1;\n", /line 3: a block is not closed/],
    ["upstream u { server a:1 weight=0; }", /invalid weight/],
    ['upstream u { server "a:1; }', /unterminated quoted string/],
    ["}", /unexpected "}"/],
    ["upstream { server a:1; }", /"upstream" without a name/],
  ])("refuses broken text %j with the line", (text, message) => {
    expect(caught(() => parseUpstreamFile(text)).message).toMatch(message);
  });
});

describe("editUpstreamFile", () => {
  it("marks one server down and changes nothing else, byte for byte", () => {
    const out = editUpstreamFile(LAB, "tomcats", "127.0.0.1:18082", { down: true, backup: false });
    expect(out).toBe(
      LAB.replace(
        "server 127.0.0.1:18082 max_fails=1 fail_timeout=5s;",
        "server 127.0.0.1:18082 max_fails=1 fail_timeout=5s down;",
      ),
    );
    expect(parseUpstreamFile(out)[0]!.servers.map((s) => s.down)).toStrictEqual([false, true, false]);
    // and back: the original file again
    expect(editUpstreamFile(out, "tomcats", "127.0.0.1:18082", { down: false, backup: false })).toBe(LAB);
  });

  it("sets a weight in place, or adds one where there was none (but not the default 1)", () => {
    expect(editUpstreamFile(LAB, "tomcats", "127.0.0.1:18081", { weight: 1 })).toBe(LAB);
    const once = editUpstreamFile(LAB, "tomcats", "127.0.0.1:18081", { weight: 5 });
    expect(once).toContain("server 127.0.0.1:18081 weight=5 max_fails=1 fail_timeout=5s;");
    const twice = editUpstreamFile(once, "tomcats", "127.0.0.1:18081", { weight: 7 });
    expect(twice).toContain("server 127.0.0.1:18081 weight=7 max_fails=1 fail_timeout=5s;");
    expect(parseUpstreamFile(twice)[0]!.servers[0]!.weight).toBe(7);
    expect(editUpstreamFile(twice, "tomcats", "127.0.0.1:18081", { weight: 1 })).toBe(LAB);
  });

  it("keeps unknown parameters and quotes, and edits only the named upstream", () => {
    const out = editUpstreamFile(QUIRKS, "backend", "10.0.0.9:8080", { down: true });
    expect(out).toContain("server 10.0.0.9:8080 max_conns=100 down;");
    expect(parseUpstreamFile(out)[1]!.servers[0]!.down).toBe(false);
    expect(out.replace("server 10.0.0.9:8080 max_conns=100 down;", 'server "10.0.0.9:8080" max_conns=100;')).toBe(
      QUIRKS,
    );
  });

  it("standby: backup where the method allows it, refused under hash with nginx's reason", () => {
    const out = editUpstreamFile(QUIRKS, "backend", "[::1]:8081", { down: false, backup: true });
    expect(out).toContain("server [::1]:8081 weight=2 backup;");
    const err = caught(() => editUpstreamFile(LAB, "tomcats", "127.0.0.1:18081", { down: false, backup: true }));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(/hash \$lab_sticky_key consistent.*does not support parameter "backup"/);
  });

  it("names an unknown upstream or server", () => {
    expect(caught(() => editUpstreamFile(LAB, "nope", "127.0.0.1:18081", { down: true })).message).toBe(
      'The include file has no upstream "nope"',
    );
    expect(caught(() => editUpstreamFile(LAB, "tomcats", "127.0.0.1:9", { down: true })).message).toBe(
      'Upstream "tomcats" has no server 127.0.0.1:9',
    );
  });

  it("editServerParams toggles flags without duplicating them", () => {
    expect(editServerParams(["down", "weight=2"], { down: true, backup: false })).toStrictEqual(["weight=2", "down"]);
    expect(editServerParams(["down", "backup"], { down: false })).toStrictEqual(["backup"]);
  });
});

describe("stub_status and the status document", () => {
  it("parses stub_status as nginx 1.22 prints it (captured from the lab)", () => {
    expect(parseStubStatus(fixture("stub-status.txt"))).toStrictEqual({
      active: 1,
      accepts: 2,
      handled: 2,
      requests: 2,
      reading: 0,
      writing: 1,
      waiting: 0,
    });
    expect(caught(() => parseStubStatus("<html>404</html>")).message).toMatch(/does not look like stub_status/);
  });

  it("maps down → stopped, backup → standby, probes → health, and keeps the counters in the balancer's raw fields", () => {
    const doc: TNginxStatusDocument = {
      includeFile: "/x/up.conf",
      file: QUIRKS,
      probes: {
        "10.10.49.23:8080": { ok: true, status: 200, error: null, ms: 3 },
        "tomcat2.lan": { ok: false, status: null, error: "ECONNREFUSED", ms: 1 },
        "[::1]:8081": { ok: false, status: 503, error: "HTTP 503", ms: 2 },
      },
      stubStatus: fixture("stub-status.txt"),
      stubStatusError: null,
    };
    const [backend] = parseNginxStatus(JSON.stringify(doc)).balancers;
    expect(backend!.members.map((m) => [m.key, m.adminState, m.health, m.loadfactor, m.route])).toStrictEqual([
      ["10.10.49.23:8080", "active", "healthy", 1, ""],
      ["tomcat2.lan", "standby", "failing", 3, ""],
      ["[::1]:8081", "stopped", "failing", 2, ""],
      ["unix:/run/app.sock", "active", "unknown", 1, ""],
      ["10.0.0.9:8080", "active", "unknown", 1, ""],
    ]);
    expect(backend!.raw).toMatchObject({
      method: "least_conn",
      "stub_status.requests": "2",
      "stub_status.active": "1",
    });
    expect(backend!.members[1]!.raw.probe).toBe("ECONNREFUSED (1 ms)");

    // A page that is not stub_status (wrong URL) is reported with the upstream, not a failed poll.
    const [wrong] = parseNginxStatus(JSON.stringify({ ...doc, stubStatus: "<html>welcome</html>" })).balancers;
    expect(wrong!.raw["stub_status.error"]).toMatch(/does not look like stub_status/);
    expect(wrong!.members).toHaveLength(5);
  });
});

describe("parseNginxOptions", () => {
  const good = {
    includeFile: "/etc/nginx/clusterdeck/upstream.conf",
    testCommand: ["nginx", "-t"],
    reloadCommand: ["nginx", "-s", "reload"],
  };

  it("defaults the probe path and command timeout", () => {
    expect(parseNginxOptions(good)).toStrictEqual({ ...good, probePath: "/", commandTimeoutMs: 15_000 });
  });

  it.each([
    [{ ...good, includeFile: "upstream.conf" }, /options.includeFile: must be an absolute path/],
    [{ ...good, testCommand: "nginx -t" }, /options.testCommand/],
    [{ ...good, reloadCommand: [] }, /options.reloadCommand: give the program/],
    [{ ...good, probePath: "health" }, /options.probePath: must start with \//],
    [{ ...good, extra: 1 }, /Unrecognized key/i],
  ])("refuses %j naming the field", (raw, message) => {
    const err = caught(() => parseNginxOptions(raw));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(message);
  });
});
