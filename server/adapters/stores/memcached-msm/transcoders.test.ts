import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeMsmDetail } from "@/server/adapters/stores/memcached-msm";
import { decodeMsmSessionValue, encodeMsmSessionValue } from "./value";
import { FIXTURE_FIELDS } from "./__fixtures__/session-fields";

// msm-value-v2.bin: MSM's header followed by a Java serialization stream (__fixtures__/README.md).
const JAVA_VALUE = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", "msm-value-v2.bin"));

const FIELDS = FIXTURE_FIELDS;

// What Kryo writes for a map of two attributes starts with its own class ids and varints, never 0xACED.
const KRYO_LIKE = Buffer.from([
  0x01, 0x00, 0x6a, 0x61, 0x76, 0x61, 0x2e, 0x75, 0x74, 0x69, 0x6c, 0x2e, 0x48, 0x61, 0x73, 0x68, 0xed, 0x02, 0x03,
  0x75, 0x73, 0x65, 0xf2, 0x01,
]);

describe("MSM values whatever the transcoder", () => {
  it("a Kryo-like attributes blob: the header is decoded, no error, and one note says which transcoder", () => {
    const value = encodeMsmSessionValue(FIELDS, KRYO_LIKE);
    const d = decodeMsmDetail("n1", FIELDS.id, value, "kryo");
    expect(d.decodeError).toBeNull();
    expect(d.creationTime).toEqual(new Date(FIELDS.creationTime));
    expect(d.lastAccessedTime).toEqual(new Date(FIELDS.lastAccessedTime));
    expect(d.maxInactiveInterval).toBe(1800);
    expect(d.attributes).toEqual([]);
    expect(d.attributesNote).toBe(
      `The attributes (${KRYO_LIKE.length} bytes) were written by the kryo transcoder: not decoded.`,
    );
  });

  it("with the transcoder not named, the note says it is not Java serialization and where to name it", () => {
    const d = decodeMsmDetail("n1", FIELDS.id, encodeMsmSessionValue(FIELDS, KRYO_LIKE));
    expect(d.decodeError).toBeNull();
    expect(d.attributesNote).toMatch(/another transcoder than Java serialization .*options\.transcoder/);
  });

  it("a Java serialization stream is still decoded attribute by attribute, with no note", () => {
    const d = decodeMsmDetail("n1", "k", JAVA_VALUE);
    expect(d.decodeError).toBeNull();
    expect(d.attributesNote).toBeNull();
    expect(d.attributes.length).toBeGreaterThan(0);
    expect(d.creationTime).toEqual(new Date(decodeMsmSessionValue(JAVA_VALUE).creationTime));
  });

  it("no attributes at all is an empty session, not a note", () => {
    const d = decodeMsmDetail("n1", FIELDS.id, encodeMsmSessionValue(FIELDS, Buffer.alloc(0)));
    expect(d).toMatchObject({ decodeError: null, attributesNote: null, attributes: [] });
  });

  it("a broken header is still an error: the value is not MSM's", () => {
    const d = decodeMsmDetail("n1", FIELDS.id, KRYO_LIKE);
    expect(d.decodeError).not.toBeNull();
    expect(d.creationTime).toBeNull();
  });
});
