import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeJcolemanSessionValue } from "@/server/adapters/stores/java-serialization/decode";

describe("tomcat-redis-session-manager value written by the lab stand-in in Tomcat 10.1.60", () => {
  it("is the metadata object (16-byte MD5) then StandardSession.writeObjectData with the counter", () => {
    const v = decodeJcolemanSessionValue(
      fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", "jcoleman-standin-tomcat-10.1.60.bin")),
    );
    expect(v.attributesHash).toMatch(/^[0-9a-f]{32}$/);
    expect(v.leadingCreationTime).toBeNull();
    expect(v).toMatchObject({
      id: "A8F4F95BC3C483492261544681F65199.tomcat2",
      maxInactiveInterval: 1800,
      format: "tomcat9.0.66+",
      isValid: true,
    });
    expect(v.attributes).toEqual({ counter: { kind: "boxed", className: "java.lang.Integer", value: 5 } });
  });
});
