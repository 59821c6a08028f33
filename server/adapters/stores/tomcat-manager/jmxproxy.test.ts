import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import {
  managerReading,
  parseInvokeResult,
  parseJavaTime,
  parseListSessionIds,
  parseMbeanAttributes,
  readingMovesSession,
  replicaSafety,
} from "./jmxproxy";

describe("Tomcat Manager jmxproxy answers (as Tomcat 10.1 prints them)", () => {
  it("lists session ids", () => {
    expect(parseListSessionIds("OK - Operation listSessionIds returned:\nA.tomcat1 B.tomcat3 C.tomcat2 \n")).toEqual([
      "A.tomcat1",
      "B.tomcat3",
      "C.tomcat2",
    ]);
    expect(parseListSessionIds("OK - Operation listSessionIds returned:\n\n")).toEqual([]);
  });
  it("reports a failed call with Tomcat's words", () => {
    expect(() =>
      parseListSessionIds(
        "Error - Cannot invoke operation [listSessionIds]\njavax.management.InstanceNotFoundException",
      ),
    ).toThrow(/Cannot invoke operation/);
  });
  it("reads one MBean's attributes", () => {
    const a = parseMbeanAttributes(
      "OK - Number of results: 1\n\nName: Catalina:type=Manager,host=localhost,context=/app\nactiveSessions: 3\nname: localhost#/app\n\n",
    );
    expect(a).toMatchObject({ activeSessions: "3", name: "localhost#/app" });
  });
  it("reads an operation's returned value; empty, -1 and null mean unknown", () => {
    expect(parseInvokeResult("OK - Operation getCreationTime returned:\n  Sun Nov 22 05:30:00 UTC 2026\n")).toBe(
      "Sun Nov 22 05:30:00 UTC 2026",
    );
    expect(parseInvokeResult("OK - Operation getLastAccessedTimestamp returned:\n  -1\n")).toBeNull();
    expect(parseInvokeResult("OK - Operation getCreationTime returned:\n\n")).toBeNull();
    expect(() =>
      parseInvokeResult("Error - javax.management.ReflectionException: No such operation: getCreationTimestamp"),
    ).toThrow(/No such operation/);
  });
  it("reads Java times: millisecond timestamps and Date.toString(); an unknown zone is null, not wrong", () => {
    expect(parseJavaTime("1795325400000")?.toISOString()).toBe("2026-11-22T05:30:00.000Z");
    expect(parseJavaTime("Sun Nov 22 05:30:00 UTC 2026")?.toISOString()).toBe("2026-11-22T05:30:00.000Z");
    expect(parseJavaTime("Sun Nov 22 05:30:00 CET 2026")).toBeNull();
    expect(parseJavaTime(null)).toBeNull();
  });
  it("a session is safe when another node holds a replica", () => {
    expect(
      replicaSafety("tomcat2", {
        tomcat1: ["A.tomcat2", "X.tomcat1"],
        tomcat2: ["A.tomcat2", "B.tomcat2", "X.tomcat1"],
        tomcat3: [],
      }),
    ).toEqual({ total: 2, safe: 1, unsafe: ["B.tomcat2"] });
    // A session under another route that only tomcat2 holds (its primary, where a route-blind balancer sent
    // its user) is lost with tomcat2 too; one that tomcat1 also holds is not tomcat2's concern.
    expect(
      replicaSafety("tomcat2", {
        tomcat1: ["A.tomcat2", "X.tomcat1"],
        tomcat2: ["A.tomcat2", "X.tomcat1", "Y.tomcat3"],
        tomcat3: [],
      }),
    ).toEqual({ total: 2, safe: 1, unsafe: ["Y.tomcat3"] });
    expect(replicaSafety("tomcat9", { tomcat1: ["A.tomcat1"] })).toEqual({ total: 0, safe: 0, unsafe: [] });
  });
});

describe("managerReading", () => {
  it("reads a captured Tomcat 10.1 DeltaManager MBean", () => {
    const text = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__/manager-deltamanager-10.1.txt"), "utf8");
    expect(managerReading(parseMbeanAttributes(text))).toEqual({
      version: "org.apache.catalina.ha.session.DeltaManager",
      uptimeSeconds: null,
      items: 1158,
      memoryUsedBytes: null,
      memoryLimitBytes: null,
      connections: null,
      counters: { created: 1786, expired: 628, rejected: 0 },
      evictingPolicy: null,
      details: {
        activeSessions: 1158,
        maxActive: 1785,
        maxActiveSessions: -1,
        sessionCounter: 1786,
        expiredSessions: 628,
        rejectedSessions: 0,
        sessionAverageAliveTime: 1811,
        sessionMaxAliveTime: 1876,
        state: "STARTED",
      },
    });
  });
});

describe("which managers a per-session JMX read disturbs", () => {
  it("BackupManager only: a lookup on a backup or proxy copy makes that Tomcat the primary", () => {
    expect(readingMovesSession("org.apache.catalina.ha.session.BackupManager")).toBe(true);
    expect(readingMovesSession("org.apache.catalina.ha.session.DeltaManager")).toBe(false);
    expect(readingMovesSession("org.apache.catalina.session.StandardManager")).toBe(false);
    expect(readingMovesSession("")).toBe(false);
  });
});
