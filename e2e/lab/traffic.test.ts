import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createUserReport, parseCounterReply, recordFailure, recordReply, runTraffic, startTraffic } from "./traffic";

/** What the fake app does with the n-th request it receives (1-based, all users together). */
type TFault = "ok" | "500" | "reset" | "skip" | "badjson" | "hang" | "drop" | "serve-then-drop";

type TFakeApp = { url: string; requests: () => number; close: () => Promise<void> };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

/** A tiny stand-in for the lab's /app/counter: sessions by JSESSIONID cookie, node name by request count. */
async function startFakeApp(
  fault: (n: number) => TFault = () => "ok",
  node: (n: number) => string = () => "fake1",
): Promise<TFakeApp> {
  const sessions = new Map<string, number>();
  let n = 0;
  const server = createServer((req, res) => {
    n += 1;
    const kind = fault(n);
    if (kind === "hang") return; // never answers
    if (kind === "drop") return req.socket.destroy(); // closed before answering, as during a frontend reload
    if (kind === "500") {
      res.writeHead(500, { "content-type": "text/plain" }).end("boom");
      return;
    }
    if (kind === "badjson") {
      res.writeHead(200, { "content-type": "application/json" }).end("{not json");
      return;
    }
    const cookie = /JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    let id = cookie && sessions.has(cookie) && kind !== "reset" ? cookie : undefined;
    const isNew = id === undefined;
    if (id === undefined) {
      id = `${randomUUID().replaceAll("-", "").toUpperCase()}.fake`;
      sessions.set(id, 0);
      res.setHeader("set-cookie", `JSESSIONID=${id}; Path=/app; HttpOnly`);
    }
    const counter = (sessions.get(id) ?? 0) + (kind === "skip" ? 2 : 1);
    sessions.set(id, counter);
    if (kind === "serve-then-drop") return req.socket.destroy(); // the app served it; the answer is lost
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ node: node(n), sessionId: id, counter, version: "1", isNew }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/app/counter`,
    requests: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const reply = (sessionId: string, counter: number, node = "tomcat1") => ({ node, sessionId, counter });

describe("recordReply (counting rules)", () => {
  it("accepts a session whose counter goes up by one, and collapses nodes to changes", () => {
    const u = createUserReport(0, "t");
    for (const [c, node] of [
      [1, "tomcat1"],
      [2, "tomcat1"],
      [3, "tomcat2"],
      [4, "tomcat2"],
      [5, "tomcat1"],
    ] as const) {
      recordReply(u, reply("A", c, node));
    }
    expect(u).toMatchObject({
      requests: 5,
      failures: 0,
      sessionLost: 0,
      counterViolations: 0,
      counterMonotonic: true,
      sessionIds: ["A"],
      nodesSeen: ["tomcat1", "tomcat2", "tomcat1"],
      lastCounter: 5,
    });
  });

  it("counts a new session id as a lost session and breaks monotonicity", () => {
    const u = createUserReport(0, "t");
    recordReply(u, reply("A", 1));
    recordReply(u, reply("A", 2));
    recordReply(u, reply("B", 1, "tomcat2"));
    recordReply(u, reply("B", 2, "tomcat2"));
    expect(u).toMatchObject({
      sessionLost: 1,
      counterViolations: 0,
      counterMonotonic: false,
      sessionIds: ["A", "B"],
      lastCounter: 2,
    });
    expect(u.violationMessages[0]).toContain("session lost");
  });

  it("counts a new id whose counter continued as an id change (MSM failover), not a loss", () => {
    const u = createUserReport(0, "t");
    recordReply(u, reply("A-n1.tomcat1", 1));
    recordReply(u, reply("A-n1.tomcat1", 2));
    recordReply(u, reply("A-n2.tomcat1", 3));
    recordReply(u, reply("A-n2.tomcat1", 4));
    expect(u).toMatchObject({
      sessionLost: 0,
      sessionIdChanges: 1,
      counterViolations: 0,
      counterMonotonic: true,
      sessionIds: ["A-n1.tomcat1", "A-n2.tomcat1"],
    });
  });

  it("flags a counter that skips, repeats, or does not start at 1", () => {
    const u = createUserReport(0, "t");
    recordReply(u, reply("A", 2)); // first reply must be 1
    recordReply(u, reply("A", 3));
    recordReply(u, reply("A", 3)); // stale replica
    recordReply(u, reply("A", 5)); // skipped
    expect(u.counterViolations).toBe(3);
    expect(u.counterMonotonic).toBe(false);
    expect(u.sessionLost).toBe(0);
  });

  it("keeps only the first few failure messages but counts them all", () => {
    const u = createUserReport(0, "t");
    for (let i = 0; i < 8; i++) recordFailure(u, `HTTP 500 #${i}`);
    expect(u.failures).toBe(8);
    expect(u.requests).toBe(8);
    expect(u.failureMessages).toHaveLength(5);
  });
});

describe("parseCounterReply", () => {
  it("parses the app's JSON and rejects anything else", () => {
    expect(
      parseCounterReply('{"node":"tomcat2","sessionId":"X.tomcat2","counter":3,"version":"1","isNew":false}'),
    ).toEqual({
      node: "tomcat2",
      sessionId: "X.tomcat2",
      counter: 3,
      version: "1",
      isNew: false,
    });
    expect(parseCounterReply("{oops")).toMatch(/^bad JSON/);
    expect(parseCounterReply('{"node":"tomcat2"}')).toMatch(/^not a counter reply/);
    expect(parseCounterReply("null")).toMatch(/^not a counter reply/);
  });
});

describe("runTraffic against an in-process app", () => {
  it("reports a clean run: one session per user, counters monotonic, targets round-robin", async () => {
    const a = await startFakeApp();
    const b = await startFakeApp(undefined, () => "fake2");
    const report = await runTraffic({ users: 4, ratePerSec: 80, durationMs: 600, targets: [a.url, b.url] });
    expect(report.ok).toBe(true);
    expect(report.running).toBe(false);
    expect(report.totals.failures).toBe(0);
    expect(report.totals.sessionLost).toBe(0);
    expect(report.totals.requests).toBeGreaterThanOrEqual(20);
    expect(report.users.map((u) => u.target)).toEqual([a.url, b.url, a.url, b.url]);
    for (const u of report.users) {
      expect(u.sessionIds).toHaveLength(1);
      expect(u.counterMonotonic).toBe(true);
      expect(u.lastCounter).toBe(u.requests);
      expect(u.nodesSeen).toEqual([u.target === a.url ? "fake1" : "fake2"]);
    }
    // The server may also have seen the requests cut short at the deadline (at most one per user).
    const served = a.requests() + b.requests();
    expect(served - report.totals.requests).toBeGreaterThanOrEqual(0);
    expect(served - report.totals.requests).toBeLessThanOrEqual(4);
  });

  it("counts HTTP 500 and bad JSON as failures", async () => {
    const app = await startFakeApp((n) => (n % 5 === 0 ? "500" : n % 7 === 0 ? "badjson" : "ok"));
    const report = await runTraffic({ users: 2, ratePerSec: 60, durationMs: 700, targets: [app.url] });
    expect(report.ok).toBe(false);
    expect(report.totals.failures).toBeGreaterThanOrEqual(3);
    const messages = report.users.flatMap((u) => u.failureMessages);
    expect(messages.some((m) => m.startsWith("HTTP 500"))).toBe(true);
    expect(messages.some((m) => m.startsWith("bad JSON"))).toBe(true);
    expect(report.totals.sessionLost).toBe(0);
  });

  it("detects sessions reset by the server and counters that jump", async () => {
    const app = await startFakeApp((n) => (n === 6 ? "reset" : n === 9 ? "skip" : "ok"));
    const report = await runTraffic({ users: 1, ratePerSec: 40, durationMs: 500, targets: [app.url] });
    const [u] = report.users;
    expect(u?.requests).toBeGreaterThanOrEqual(10);
    expect(u?.sessionLost).toBe(1);
    expect(u?.sessionIds).toHaveLength(2);
    expect(u?.counterViolations).toBe(1);
    expect(u?.counterMonotonic).toBe(false);
    expect(report.ok).toBe(false);
  });

  it("records node changes (failover) without calling them failures", async () => {
    const app = await startFakeApp(undefined, (n) => (n <= 4 ? "tomcat2" : "tomcat1"));
    const report = await runTraffic({ users: 1, ratePerSec: 40, durationMs: 400, targets: [app.url] });
    expect(report.users[0]?.nodesSeen).toEqual(["tomcat2", "tomcat1"]);
    expect(report.totals.nodeChanges).toBe(1);
    expect(report.ok).toBe(true);
  });

  it("counts connection errors and timeouts as failures", async () => {
    const closed = await startFakeApp();
    await closed.close();
    const hanging = await startFakeApp(() => "hang");
    const report = await runTraffic({
      users: 2,
      ratePerSec: 20,
      durationMs: 600,
      requestTimeoutMs: 150,
      targets: [closed.url, hanging.url],
    });
    const [refused, timedOut] = report.users;
    expect(refused?.failures).toBeGreaterThan(0);
    expect(refused?.failureMessages[0]).toMatch(/^ECONNREFUSED \(.+, \d+ ms after sending\)$/);
    expect(timedOut?.failures).toBeGreaterThan(0);
    expect(timedOut?.failureMessages[0]).toMatch(/^timeout \(.+, \d+ ms after sending\)$/);
  });

  it("sends a connection closed before any answer once more, counts it, and still catches a request the app served", async () => {
    const dropped = await startFakeApp((n) => (n === 3 ? "drop" : "ok"));
    const served = await startFakeApp((n) => (n === 3 ? "serve-then-drop" : "ok"));
    const report = await runTraffic({ users: 2, ratePerSec: 20, durationMs: 700, targets: [dropped.url, served.url] });
    const [a, b] = report.users;
    // Not served: the retry continues the session without a gap.
    expect(a).toMatchObject({ resetRetries: 1, failures: 0, counterViolations: 0, counterMonotonic: true });
    // Served, answer lost: the retry's counter jumps by two, which the report shows.
    expect(b).toMatchObject({ resetRetries: 1, failures: 0, counterViolations: 1, counterMonotonic: false });
    expect(report.totals.resetRetries).toBe(2);
    expect(report.ok).toBe(false);
    await dropped.close();
    await served.close();
  });

  it("always stops at durationMs, and requests cut short are neither successes nor failures", async () => {
    const app = await startFakeApp(() => "hang");
    const t0 = Date.now();
    const report = await runTraffic({
      users: 3,
      ratePerSec: 30,
      durationMs: 300,
      requestTimeoutMs: 60_000,
      targets: [app.url],
    });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(report.totals.requests).toBe(0);
    expect(report.totals.failures).toBe(0);
  });

  it("runs in the background: snapshot while running, stop() ends it early", async () => {
    const app = await startFakeApp();
    const progress: number[] = [];
    const handle = startTraffic({
      users: 2,
      ratePerSec: 50,
      durationMs: 30_000,
      targets: [app.url],
      progressIntervalMs: 50,
      onProgress: (r) => progress.push(r.totals.requests),
    });
    await new Promise((r) => setTimeout(r, 300));
    const mid = handle.snapshot();
    expect(mid.running).toBe(true);
    expect(mid.totals.requests).toBeGreaterThan(0);
    const t0 = Date.now();
    const final = await handle.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(final.running).toBe(false);
    expect(final.ok).toBe(true);
    expect(final.totals.requests).toBeGreaterThanOrEqual(mid.totals.requests);
    expect(progress.length).toBeGreaterThan(2);
  });

  it("honours an external AbortSignal", async () => {
    const app = await startFakeApp();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const t0 = Date.now();
    const report = await runTraffic({
      users: 1,
      ratePerSec: 20,
      durationMs: 30_000,
      targets: [app.url],
      signal: controller.signal,
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(report.running).toBe(false);
  });

  it("rejects bad options", () => {
    expect(() => startTraffic({ users: 0, ratePerSec: 1, durationMs: 10, targets: ["http://127.0.0.1:1/"] })).toThrow(
      /users/,
    );
    expect(() => startTraffic({ users: 1, ratePerSec: 0, durationMs: 10, targets: ["http://127.0.0.1:1/"] })).toThrow(
      /ratePerSec/,
    );
    expect(() => startTraffic({ users: 1, ratePerSec: 1, durationMs: 10, targets: [] })).toThrow(/target/);
  });
});
