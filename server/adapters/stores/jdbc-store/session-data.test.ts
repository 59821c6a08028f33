import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeStandardSession } from "@/server/adapters/stores/java-serialization/decode";
import { standardSessionDetail } from "@/server/adapters/stores/java-serialization/session-detail";

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", name));

describe("session_data written by Tomcat 10.1.60's DataSourceStore (captured in the lab)", () => {
  it("is StandardSession.writeObjectData with the 10.1 auth fields and the counter attribute", () => {
    const s = decodeStandardSession(fixture("datasourcestore-tomcat-10.1.60.bin"));
    expect(s).toMatchObject({
      id: "B7EBDF2988BB36FA560DD30807015CDD.tomcat1",
      maxInactiveInterval: 1800,
      isValid: true,
      isNew: false,
      format: "tomcat9.0.66+",
      authType: null,
      principal: null,
    });
    expect(s.attributes).toEqual({ counter: { kind: "boxed", className: "java.lang.Integer", value: 7 } });
    expect(s.lastAccessedTime).toBeGreaterThanOrEqual(s.creationTime);
  });

  it("becomes a session detail; a truncated value becomes a detail with the decode error", () => {
    const buf = fixture("datasourcestore-tomcat-10.1.60.bin");
    const d = standardSessionDetail("pg", "B7EBDF2988BB36FA560DD30807015CDD.tomcat1", () => decodeStandardSession(buf));
    expect(d).toMatchObject({
      node: "pg",
      decodeError: null,
      maxInactiveInterval: 1800,
      attributes: [{ name: "counter", value: "7" }],
      notSerializable: [],
    });
    const broken = standardSessionDetail("pg", "x", () => decodeStandardSession(buf.subarray(0, 120)));
    expect(broken.decodeError).toMatch(/./);
    expect(broken.attributes).toEqual([]);
  });
});
