import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError, UnexpectedResponseError } from "@/server/errors";
import { decodeMsmAttributes } from "@/server/adapters/stores/java-serialization/decode";
import {
  MSM_VALUE_OFFSETS,
  type TMsmSessionFields,
  decodeMsmSessionValue,
  decodeMsmValidity,
  encodeMsmSessionValue,
  encodeMsmValidity,
  isMsmValidityValid,
  rewriteEmbeddedId,
} from "./value";
import { FIXTURE_FIELDS } from "./__fixtures__/session-fields";

// msm-value-v2.bin: built by Java re-implementing TranscoderService.serializeSessionFields (__fixtures__/README.md).
const FIXTURE = fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", "msm-value-v2.bin"));
const ID = FIXTURE_FIELDS.id;

const FIELDS = FIXTURE_FIELDS;

function expectError(fn: () => unknown, type: typeof AppError, message: RegExp): void {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
}

describe("decodeMsmSessionValue", () => {
  it("decodes the Java-built v2 value and its attributes blob", () => {
    const value = decodeMsmSessionValue(FIXTURE);
    const headerLength = 44 + ID.length + 2 + 2 + 2 + 2;
    expect(value).toMatchObject({ ...FIELDS, attributesOffset: headerLength });
    expect(value.attributes.subarray(0, 2)).toEqual(Buffer.from([0xac, 0xed]));
    expect(decodeMsmAttributes(value.attributes).attributes.user).toBe("alice");
  });

  it("reads each field at the offset of the layout table (docs/reference/session-stores.md §1.5)", () => {
    expect(FIXTURE.readUInt16BE(MSM_VALUE_OFFSETS.version)).toBe(2);
    expect(FIXTURE.readUInt16BE(MSM_VALUE_OFFSETS.sessionFieldsDataLength)).toBe(44 + ID.length + 8);
    expect(Number(FIXTURE.readBigInt64BE(MSM_VALUE_OFFSETS.creationTime))).toBe(FIELDS.creationTime);
    expect(Number(FIXTURE.readBigInt64BE(MSM_VALUE_OFFSETS.lastAccessedTime))).toBe(FIELDS.lastAccessedTime);
    expect(FIXTURE.readInt32BE(MSM_VALUE_OFFSETS.maxInactiveInterval)).toBe(1800);
    expect(String.fromCharCode(FIXTURE[MSM_VALUE_OFFSETS.isNew] ?? 0)).toBe("0");
    expect(String.fromCharCode(FIXTURE[MSM_VALUE_OFFSETS.isValid] ?? 0)).toBe("1");
    expect(Number(FIXTURE.readBigInt64BE(MSM_VALUE_OFFSETS.thisAccessedTime))).toBe(FIELDS.thisAccessedTime);
    expect(Number(FIXTURE.readBigInt64BE(MSM_VALUE_OFFSETS.lastBackupTime))).toBe(FIELDS.lastBackupTime);
    expect(FIXTURE.readUInt16BE(MSM_VALUE_OFFSETS.idLength)).toBe(ID.length);
    expect(FIXTURE.toString("utf8", MSM_VALUE_OFFSETS.id, MSM_VALUE_OFFSETS.id + ID.length)).toBe(ID);
  });

  it("decodes version 1 (no saved request fields) and optional principal bytes", () => {
    const principal = Buffer.from([0xac, 0xed, 0x00, 0x05, 0x70]);
    const encoded = encodeMsmSessionValue({ ...FIELDS, version: 1, authType: "FORM", principal }, Buffer.from("ATTR"));
    expect(encoded.readUInt16BE(2)).toBe(44 + ID.length + 2 + 2 + principal.length);
    const decoded = decodeMsmSessionValue(encoded);
    expect(decoded).toMatchObject({
      version: 1,
      authType: "FORM",
      principal,
      savedRequest: null,
      savedPrincipal: null,
    });
    expect(decoded.attributes.toString()).toBe("ATTR");
  });

  it.each([
    ["empty", Buffer.alloc(0), /too short/],
    ["version 3", Buffer.from([0, 3, 0, 4]), /unsupported version 3/],
    ["version 0 (garbage)", Buffer.from("hello world, not msm"), /unsupported version/],
    ["length beyond value", Buffer.from([0, 2, 0xff, 0xff]), /exceeds the value length/],
  ])("rejects %s", (_name, bytes, message) => {
    expectError(() => decodeMsmSessionValue(bytes), UnexpectedResponseError, message);
  });

  it("rejects every truncation of the header with a clear error", () => {
    const header = decodeMsmSessionValue(FIXTURE).attributesOffset;
    for (let length = 0; length < header; length++) {
      expect(() => decodeMsmSessionValue(FIXTURE.subarray(0, length)), `length ${length}`).toThrow(
        UnexpectedResponseError,
      );
    }
  });

  it("rejects a sessionFieldsDataLength that disagrees with the fields", () => {
    const bad = Buffer.from(FIXTURE);
    bad.writeUInt16BE(bad.readUInt16BE(2) + 1, 2);
    expectError(() => decodeMsmSessionValue(bad), UnexpectedResponseError, /fields end at/);
    const short = Buffer.from(FIXTURE);
    short.writeUInt16BE(50, 2);
    expectError(() => decodeMsmSessionValue(short), UnexpectedResponseError, /truncated/);
  });

  it("rejects non-ASCII booleans and unknown auth types", () => {
    const bool = Buffer.from(FIXTURE);
    bool[MSM_VALUE_OFFSETS.isValid] = 1;
    expectError(() => decodeMsmSessionValue(bool), UnexpectedResponseError, /isValid byte is 0x1/);
    const auth = Buffer.from(FIXTURE);
    auth.writeUInt16BE(9, MSM_VALUE_OFFSETS.id + ID.length);
    expectError(() => decodeMsmSessionValue(auth), UnexpectedResponseError, /authType id 9/);
  });
});

describe("encodeMsmSessionValue / rewriteEmbeddedId", () => {
  it("re-encodes the Java-built fixture byte for byte", () => {
    const decoded = decodeMsmSessionValue(FIXTURE);
    expect(encodeMsmSessionValue(decoded, decoded.attributes)).toEqual(FIXTURE);
  });

  it("round-trips fields with auth data and negative maxInactiveInterval", () => {
    const fields: TMsmSessionFields = {
      ...FIELDS,
      maxInactiveInterval: -1,
      isNew: true,
      authType: "BASIC",
      principal: Buffer.from("P"),
      savedRequest: Buffer.from("REQ"),
      savedPrincipal: Buffer.from("SP"),
    };
    const decoded = decodeMsmSessionValue(encodeMsmSessionValue(fields, Buffer.alloc(0)));
    expect(decoded).toMatchObject(fields);
    expect(decoded.attributes.length).toBe(0);
  });

  it("rewrites the embedded id and both lengths, keeping everything else", () => {
    const newId = "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E-node2.tomcat1";
    const rewritten = rewriteEmbeddedId(FIXTURE, newId);
    const delta = newId.length - ID.length;
    expect(rewritten.length).toBe(FIXTURE.length + delta);
    expect(rewritten.readUInt16BE(MSM_VALUE_OFFSETS.idLength)).toBe(newId.length);
    expect(rewritten.readUInt16BE(MSM_VALUE_OFFSETS.sessionFieldsDataLength)).toBe(FIXTURE.readUInt16BE(2) + delta);
    const before = decodeMsmSessionValue(FIXTURE);
    const after = decodeMsmSessionValue(rewritten);
    expect(after).toMatchObject({ ...FIELDS, id: newId });
    expect(after.attributes).toEqual(before.attributes);
    expect(rewriteEmbeddedId(rewritten, ID)).toEqual(FIXTURE);
  });

  it("refuses values it cannot encode", () => {
    expectError(() => encodeMsmSessionValue({ ...FIELDS, id: "" }, Buffer.alloc(0)), AppError, /id is empty/);
    expectError(
      () => encodeMsmSessionValue({ ...FIELDS, creationTime: 1.5 }, Buffer.alloc(0)),
      AppError,
      /creationTime/,
    );
    expectError(
      () => encodeMsmSessionValue({ ...FIELDS, maxInactiveInterval: 2 ** 31 }, Buffer.alloc(0)),
      AppError,
      /maxInactiveInterval/,
    );
    expectError(
      () => encodeMsmSessionValue({ ...FIELDS, principal: Buffer.alloc(70_000) }, Buffer.alloc(0)),
      AppError,
      /u16/,
    );
    expectError(
      () => encodeMsmSessionValue({ ...FIELDS, version: 1, savedRequest: Buffer.from("x") }, Buffer.alloc(0)),
      AppError,
      /version 1/,
    );
    expectError(() => rewriteEmbeddedId(Buffer.from("garbage!"), ID), UnexpectedResponseError, /unsupported version/);
  });
});

describe("validity value", () => {
  const validity = { maxInactiveInterval: 1800, lastAccessedTime: 1700000100000, thisAccessedTime: 1700000200000 };

  it("has the 20-byte big-endian layout and round-trips", () => {
    const bytes = encodeMsmValidity(validity);
    expect(bytes.toString("hex")).toBe(
      "00000708" + (1700000100000).toString(16).padStart(16, "0") + (1700000200000).toString(16).padStart(16, "0"),
    );
    expect(decodeMsmValidity(bytes)).toEqual(validity);
  });

  it.each([[0], [19], [21]])("rejects %i bytes", (length) => {
    expectError(() => decodeMsmValidity(Buffer.alloc(length)), UnexpectedResponseError, /expected 20 bytes/);
  });

  it("isMsmValidityValid follows SessionValidityInfo.isValid", () => {
    expect(isMsmValidityValid(validity, validity.thisAccessedTime + 1_799_999)).toBe(true);
    expect(isMsmValidityValid(validity, validity.thisAccessedTime + 1_800_000)).toBe(false);
    expect(isMsmValidityValid({ ...validity, maxInactiveInterval: 0 }, Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isMsmValidityValid({ ...validity, maxInactiveInterval: -1 }, Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});
