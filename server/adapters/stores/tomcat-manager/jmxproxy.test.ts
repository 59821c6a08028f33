import { describe, expect, it } from "vitest";
import { parseListSessionIds, parseMbeanAttributes, replicaSafety } from "./jmxproxy";

describe("Tomcat Manager jmxproxy answers (as Tomcat 10.1 prints them)", () => {
  it("lists session ids", () => {
    expect(parseListSessionIds("OK - Operation listSessionIds returned:\nA.tomcat1 B.tomcat3 C.tomcat2 \n")).toEqual(["A.tomcat1", "B.tomcat3", "C.tomcat2"]);
    expect(parseListSessionIds("OK - Operation listSessionIds returned:\n\n")).toEqual([]);
  });
  it("reports a failed call with Tomcat's words", () => {
    expect(() => parseListSessionIds("Error - Cannot invoke operation [listSessionIds]\njavax.management.InstanceNotFoundException")).toThrow(/Cannot invoke operation/);
  });
  it("reads one MBean's attributes", () => {
    const a = parseMbeanAttributes("OK - Number of results: 1\n\nName: Catalina:type=Manager,host=localhost,context=/app\nactiveSessions: 3\nname: localhost#/app\n\n");
    expect(a).toMatchObject({ activeSessions: "3", name: "localhost#/app" });
  });
  it("a session is safe when another node holds a replica", () => {
    expect(replicaSafety("tomcat2", { tomcat1: ["A.tomcat2", "X.tomcat1"], tomcat2: ["A.tomcat2", "B.tomcat2", "X.tomcat1"], tomcat3: [] })).toEqual({ total: 2, safe: 1, unsafe: ["B.tomcat2"] });
    expect(replicaSafety("tomcat9", { tomcat1: ["A.tomcat1"] })).toEqual({ total: 0, safe: 0, unsafe: [] });
  });
});
