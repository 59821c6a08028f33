import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UnexpectedResponseError } from "@/server/errors";
import { decodeJcolemanSessionValue, decodeMsmAttributes, decodeStandardSession } from "./decode";
import { JavaObjectReader, decodeJavaStream, decodeModifiedUtf8 } from "./reader";
import type { TJavaObject, TJavaValue } from "./types";

// Fixtures written by ObjectOutputStream on OpenJDK 17 (see __fixtures__/README.md).
const FIXTURES = path.join(import.meta.dirname, "__fixtures__");
const read = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));

function expectAttributes(attributes: Record<string, TJavaValue>): void {
  expect(attributes.user).toBe("alice");
  expect(attributes.alias).toBe("alice"); // TC_REFERENCE to the same String
  expect(attributes.count).toEqual({ kind: "boxed", className: "java.lang.Integer", value: 42 });
  expect(attributes.visits).toEqual({ kind: "boxed", className: "java.lang.Long", value: 1234567890123n });
  expect(attributes.admin).toEqual({ kind: "boxed", className: "java.lang.Boolean", value: true });
  expect(attributes.short).toEqual({ kind: "boxed", className: "java.lang.Short", value: -7 });
  expect(attributes.byte).toEqual({ kind: "boxed", className: "java.lang.Byte", value: 5 });
  expect(attributes.char).toEqual({ kind: "boxed", className: "java.lang.Character", value: "é" });
  expect(attributes.float).toEqual({ kind: "boxed", className: "java.lang.Float", value: 1.5 });
  expect(attributes.double).toEqual({ kind: "boxed", className: "java.lang.Double", value: -2.25 });
  expect(attributes.loginAt).toEqual({ kind: "date", className: "java.util.Date", epochMs: 1700000000000 });
  expect(attributes.color).toEqual({ kind: "enum", className: "com.example.Color", constant: "GREEN" });
  expect(attributes.ints).toEqual({ kind: "array", className: "[I", items: [1, 2, 3] });
  expect(attributes.names).toEqual({ kind: "array", className: "[Ljava.lang.String;", items: ["x", null, "y"] });
  expect(attributes.unicode).toBe("h\u00e9llo \u2603 \ud83d\ude00");

  const prefs = attributes.prefs;
  expect(prefs).toMatchObject({ kind: "map", className: "java.util.HashMap" });
  if (prefs === null || typeof prefs !== "object" || prefs.kind !== "map") throw new Error("prefs is not a map");
  expect(new Map(prefs.entries)).toEqual(
    new Map<TJavaValue, TJavaValue>([
      ["theme", "dark"],
      ["size", { kind: "boxed", className: "java.lang.Integer", value: 12 }],
    ]),
  );

  const cart = attributes.cart as TJavaObject;
  expect(cart.kind).toBe("object");
  expect(cart.className).toBe("com.example.Cart");
  expect(cart.fields).toEqual({
    owner: "alice",
    items: 3,
    total: 19.5,
    checkedOut: false,
    skus: { kind: "list", className: "java.util.ArrayList", items: ["SKU-1", "SKU-2"] },
  });
  expect(cart.fields).not.toHaveProperty("cache"); // transient
}

describe("decodeMsmAttributes", () => {
  it("decodes every kind of attribute in a real ObjectOutputStream blob", () => {
    const result = decodeMsmAttributes(read("msm-attributes.bin"));
    expect(Object.keys(result.attributes)).toHaveLength(17);
    expect(result.notSerializable).toEqual([]);
    expectAttributes(result.attributes);
  });

  it("decodes an empty attribute set", () => {
    expect(decodeMsmAttributes(read("msm-attributes-empty.bin"))).toEqual({ attributes: {}, notSerializable: [] });
  });

  it("skips a value aborted by NotSerializableException and MSM's marker, keeping the rest", () => {
    const result = decodeMsmAttributes(read("msm-attributes-not-serializable.bin"));
    expect(result.notSerializable).toEqual(["holder"]);
    expect(result.attributes).toEqual({
      before: "ok",
      after: { kind: "boxed", className: "java.lang.Integer", value: 7 },
    });
  });

  it("rejects a blob that does not start with an Integer count", () => {
    // The standard-session stream starts with a Long.
    expect(() => decodeMsmAttributes(read("standard-session-10.1.bin"))).toThrow(/Integer attribute count/);
  });
});

describe("decodeStandardSession", () => {
  it("reads the Tomcat 10.1 field order and the attributes", () => {
    const session = decodeStandardSession(read("standard-session-10.1.bin"));
    expect(session).toMatchObject({
      creationTime: 1700000000000,
      lastAccessedTime: 1700000100000,
      maxInactiveInterval: 1800,
      isNew: false,
      isValid: true,
      thisAccessedTime: 1700000200000,
      id: "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E.tomcat1",
      format: "tomcat9.0.66+",
      authType: null,
      principal: null,
      expectedSessionId: null,
      savedRequest: null,
      notSerializable: [],
    });
    expectAttributes(session.attributes);
  });
});

describe("decodeJcolemanSessionValue", () => {
  it("reads the metadata hash (custom writeObject without default fields) and the Tomcat 7 session", () => {
    const value = decodeJcolemanSessionValue(read("jcoleman-value-tomcat7.bin"));
    expect(value).toMatchObject({
      attributesHash: "425ce871530e0633c917f98d8e9b1bc7",
      leadingCreationTime: null,
      format: "tomcat7",
      id: "0123456789ABCDEF0123456789ABCDEF.tomcat1",
      maxInactiveInterval: 1800,
      isValid: true,
      attributes: { user: "bob", count: { kind: "boxed", className: "java.lang.Integer", value: 3 } },
    });
  });

  it("accepts the older layout that starts with a raw long creationTime", () => {
    const session = read("standard-session-10.1.bin");
    // Splice TC_BLOCKDATA(8) with the long right after the stream header.
    const long = Buffer.alloc(8);
    long.writeBigInt64BE(1700000000000n);
    const old = Buffer.concat([session.subarray(0, 4), Buffer.from([0x77, 8]), long, session.subarray(4)]);
    expect(decodeJcolemanSessionValue(old)).toMatchObject({
      leadingCreationTime: 1700000000000,
      attributesHash: null,
      format: "tomcat9.0.66+",
    });
  });

  it("rejects a value that is not jcoleman's", () => {
    expect(() => decodeJcolemanSessionValue(read("msm-attributes.bin"))).toThrow(/SessionSerializationMetadata/);
  });
});

describe("JavaObjectReader on malformed input", () => {
  const good = read("msm-attributes.bin");

  it.each([
    ["empty", Buffer.alloc(0), /too short/],
    ["wrong magic", Buffer.from([0xca, 0xfe, 0x00, 0x05, 0x70]), /bad magic/],
    ["wrong version", Buffer.from([0xac, 0xed, 0x00, 0x04, 0x70]), /version 4/],
    ["unknown type code", Buffer.from([0xac, 0xed, 0x00, 0x05, 0x42]), /unknown type code 0x42/],
    ["dangling reference", Buffer.from([0xac, 0xed, 0x00, 0x05, 0x71, 0x00, 0x7e, 0x00, 0x09]), /unknown handle/],
    ["string longer than the data", Buffer.from([0xac, 0xed, 0x00, 0x05, 0x74, 0xff, 0xff, 0x41]), /truncated/],
    ["bad modified UTF-8", Buffer.from([0xac, 0xed, 0x00, 0x05, 0x74, 0x00, 0x01, 0xff]), /modified UTF-8/],
    [
      "block data where an object is expected",
      Buffer.from([0xac, 0xed, 0x00, 0x05, 0x77, 0x01, 0x00]),
      /expected an object/,
    ],
  ])("%s → UnexpectedResponseError", (_name, bytes, message) => {
    const attempt = (): unknown => new JavaObjectReader(bytes).readObject();
    expect(attempt).toThrow(UnexpectedResponseError);
    expect(attempt).toThrow(message);
  });

  it("every truncation of a real blob fails with a clear error, never a RangeError", () => {
    for (let length = 0; length < good.length; length++) {
      try {
        decodeMsmAttributes(good.subarray(0, length));
        throw new Error(`decoded a blob truncated to ${length} bytes`);
      } catch (error) {
        expect(error, `length ${length}`).toBeInstanceOf(UnexpectedResponseError);
      }
    }
  });

  it("random corruption never throws anything but UnexpectedResponseError", () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(good);
      for (let k = 0; k < 3; k++) bytes[4 + (random() % (bytes.length - 4))] = random() & 0xff;
      try {
        decodeMsmAttributes(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(UnexpectedResponseError);
      }
    }
  });

  it("enforces the depth limit", () => {
    expect(() => decodeMsmAttributes(good, { maxDepth: 3 })).toThrow(/nesting deeper than 3/);
  });

  it("enforces the handle limit", () => {
    expect(() => decodeMsmAttributes(good, { maxHandles: 5 })).toThrow(/more than 5 handles/);
  });
});

describe("decodeJavaStream / decodeModifiedUtf8", () => {
  it("returns block data at top level as Buffers", () => {
    // writeInt(7) then writeObject("x")
    const bytes = Buffer.from([0xac, 0xed, 0x00, 0x05, 0x77, 0x04, 0, 0, 0, 7, 0x74, 0x00, 0x01, 0x78]);
    const items = decodeJavaStream(bytes);
    expect(items[0]).toEqual(Buffer.from([0, 0, 0, 7]));
    expect(items[1]).toBe("x");
  });

  it("decodes Java's encoding of NUL and supplementary characters", () => {
    expect(decodeModifiedUtf8(Buffer.from([0xc0, 0x80]))).toBe("\u0000");
    expect(decodeModifiedUtf8(Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]))).toBe("\ud83d\ude00");
  });
});
