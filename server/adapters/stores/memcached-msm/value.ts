import { AppError, UnexpectedResponseError } from "@/server/errors";

/**
 * Binary values of memcached-session-manager 2.3.2: the session value header
 * (`TranscoderService.serializeSessionFields`, versions 1 and 2) and the 20-byte validity value
 * (`SessionValidityInfo.encode`). docs/reference/session-stores.md §1.5 and §1.7. All integers big-endian
 * (`encodeNum`), booleans one ASCII byte '1'/'0' (`encodeBoolean`).
 */

export const MSM_VALUE_OFFSETS = {
  version: 0,
  sessionFieldsDataLength: 2,
  creationTime: 4,
  lastAccessedTime: 12,
  maxInactiveInterval: 20,
  isNew: 24,
  isValid: 25,
  thisAccessedTime: 26,
  lastBackupTime: 34,
  idLength: 42,
  id: 44,
} as const;

export const MSM_VALIDITY_LENGTH = 20;

/** `AuthType` ids written by MSM (0 = no authentication). */
export const MSM_AUTH_TYPES = ["NONE", "BASIC", "CLIENT_CERT", "DIGEST", "FORM"] as const;
export type TMsmAuthType = (typeof MSM_AUTH_TYPES)[number];

const WHAT = "MSM session value";
const WHAT_VALIDITY = "MSM validity value";
const MAX_U16 = 0xffff;

export interface TMsmSessionFields {
  version: 1 | 2;
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveInterval: number;
  isNew: boolean;
  isValid: boolean;
  thisAccessedTime: number;
  lastBackupTime: number;
  /** The embedded copy of the session id, which MSM uses on load instead of the key (no storage prefix). */
  id: string;
  authType: TMsmAuthType;
  /** Java-serialized Principal (`manager.writePrincipal`), or null when absent (length 0). */
  principal: Buffer | null;
  /** Version 2 only: the saved FORM request fields; null when absent or version 1. */
  savedRequest: Buffer | null;
  /** Version 2 only: the saved FORM principal; null when absent or version 1. */
  savedPrincipal: Buffer | null;
}

export interface TMsmSessionValue extends TMsmSessionFields {
  /** = sessionFieldsDataLength: where the attributes blob starts. */
  attributesOffset: number;
  /** The attributes blob (Java serialization stream with the default transcoder); a view into the value. */
  attributes: Buffer;
}

export interface TMsmValidity {
  maxInactiveInterval: number;
  lastAccessedTime: number;
  thisAccessedTime: number;
}

class Cursor {
  offset = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
    private readonly end = buf.length,
  ) {}

  private need(size: number, field: string): void {
    if (this.offset + size > this.end) {
      throw new UnexpectedResponseError(
        this.what,
        `truncated: ${field} needs ${size} bytes at offset ${this.offset}, ${this.end - this.offset} left`,
        {
          offset: this.offset,
          length: this.buf.length,
        },
      );
    }
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  i32(field: string): number {
    this.need(4, field);
    const value = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  i64(field: string): number {
    this.need(8, field);
    const value = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new UnexpectedResponseError(this.what, `${field} ${value} is not a plausible millisecond time`, { field });
    }
    return Number(value);
  }

  bool(field: string): boolean {
    this.need(1, field);
    const byte = this.buf[this.offset];
    this.offset += 1;
    if (byte === 0x31) return true;
    if (byte === 0x30) return false;
    throw new UnexpectedResponseError(
      this.what,
      `${field} byte is 0x${(byte ?? 0).toString(16)}, not ASCII '0' or '1'`,
      { field },
    );
  }

  bytes(size: number, field: string): Buffer {
    this.need(size, field);
    const value = this.buf.subarray(this.offset, this.offset + size);
    this.offset += size;
    return value;
  }

  /** u16 length + bytes; a zero length means "absent". */
  lengthPrefixed(field: string): Buffer | null {
    const size = this.u16(`${field} length`);
    return size === 0 ? null : this.bytes(size, field);
  }
}

/** Decodes the header of a value stored under `P+ID` or `bak:P+ID`. Throws UnexpectedResponseError on garbage. */
export function decodeMsmSessionValue(value: Buffer): TMsmSessionValue {
  if (value.length < 4)
    throw new UnexpectedResponseError(WHAT, `${value.length} bytes is too short for a header`, {
      length: value.length,
    });
  const cursor = new Cursor(value, WHAT);
  const version = cursor.u16("version");
  if (version !== 1 && version !== 2) {
    throw new UnexpectedResponseError(WHAT, `unsupported version ${version} (MSM writes 1 or 2)`, { version });
  }
  const dataLength = cursor.u16("sessionFieldsDataLength");
  if (dataLength > value.length) {
    throw new UnexpectedResponseError(
      WHAT,
      `sessionFieldsDataLength ${dataLength} exceeds the value length ${value.length}`,
      { dataLength },
    );
  }
  // Fields must end exactly at sessionFieldsDataLength; reading past it would swallow the attributes.
  const fields = new Cursor(value, WHAT, dataLength);
  fields.offset = cursor.offset;
  const creationTime = fields.i64("creationTime");
  const lastAccessedTime = fields.i64("lastAccessedTime");
  const maxInactiveInterval = fields.i32("maxInactiveInterval");
  const isNew = fields.bool("isNew");
  const isValid = fields.bool("isValid");
  const thisAccessedTime = fields.i64("thisAccessedTime");
  const lastBackupTime = fields.i64("lastBackupTime");
  const idLength = fields.u16("idLength");
  const idBytes = fields.bytes(idLength, "id");
  const id = idBytes.toString("utf8");
  if (idLength === 0 || Buffer.byteLength(id, "utf8") !== idLength || id.includes("\ufffd")) {
    throw new UnexpectedResponseError(WHAT, "embedded session id is empty or not UTF-8", { idLength });
  }
  const authTypeId = fields.u16("authType");
  const authType = MSM_AUTH_TYPES[authTypeId];
  if (authType === undefined)
    throw new UnexpectedResponseError(WHAT, `unknown authType id ${authTypeId}`, { authTypeId });
  const principal = fields.lengthPrefixed("principal");
  const savedRequest = version === 2 ? fields.lengthPrefixed("savedRequest") : null;
  const savedPrincipal = version === 2 ? fields.lengthPrefixed("savedPrincipal") : null;
  if (fields.offset !== dataLength) {
    throw new UnexpectedResponseError(
      WHAT,
      `sessionFieldsDataLength is ${dataLength} but the fields end at ${fields.offset}`,
      {
        dataLength,
        fieldsEnd: fields.offset,
      },
    );
  }
  return {
    version,
    creationTime,
    lastAccessedTime,
    maxInactiveInterval,
    isNew,
    isValid,
    thisAccessedTime,
    lastBackupTime,
    id,
    authType,
    principal,
    savedRequest,
    savedPrincipal,
    attributesOffset: dataLength,
    attributes: value.subarray(dataLength),
  };
}

function invalidInput(message: string): AppError {
  return new AppError("INVALID_INPUT", `Cannot encode ${WHAT}: ${message}`);
}

function checkTimes(record: Record<string, number>, int32Field: string): void {
  for (const [field, value] of Object.entries(record)) {
    const ok =
      field === int32Field
        ? Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff
        : Number.isSafeInteger(value);
    if (!ok) throw invalidInput(`${field} ${value} is not ${field === int32Field ? "a 32-bit" : "a safe"} integer`);
  }
}

function checkU16(size: number, field: string): void {
  if (size > MAX_U16) throw invalidInput(`${field} is ${size} bytes, more than a u16 length allows`);
}

/** Inverse of decodeMsmSessionValue: writes the header for `fields`, then `attributes`. */
export function encodeMsmSessionValue(fields: TMsmSessionFields, attributes: Buffer): Buffer {
  checkTimes(
    {
      creationTime: fields.creationTime,
      lastAccessedTime: fields.lastAccessedTime,
      maxInactiveInterval: fields.maxInactiveInterval,
      thisAccessedTime: fields.thisAccessedTime,
      lastBackupTime: fields.lastBackupTime,
    },
    "maxInactiveInterval",
  );
  if (fields.version !== 1 && fields.version !== 2) throw invalidInput(`unsupported version ${String(fields.version)}`);
  const idBytes = Buffer.from(fields.id, "utf8");
  if (idBytes.length === 0) throw invalidInput("session id is empty");
  checkU16(idBytes.length, "session id");
  const optional =
    fields.version === 2 ? [fields.principal, fields.savedRequest, fields.savedPrincipal] : [fields.principal];
  if (fields.version === 1 && (fields.savedRequest !== null || fields.savedPrincipal !== null)) {
    throw invalidInput("version 1 values cannot carry a saved request or saved principal");
  }
  for (const [index, part] of optional.entries())
    checkU16(part?.length ?? 0, ["principal", "savedRequest", "savedPrincipal"][index] ?? "field");
  const authTypeId = MSM_AUTH_TYPES.indexOf(fields.authType);
  if (authTypeId < 0) throw invalidInput(`unknown authType ${String(fields.authType)}`);

  const headerLength =
    MSM_VALUE_OFFSETS.id + idBytes.length + 2 + optional.reduce((sum, part) => sum + 2 + (part?.length ?? 0), 0);
  checkU16(headerLength, "header");
  const out = Buffer.alloc(headerLength + attributes.length);
  out.writeUInt16BE(fields.version, MSM_VALUE_OFFSETS.version);
  out.writeUInt16BE(headerLength, MSM_VALUE_OFFSETS.sessionFieldsDataLength);
  out.writeBigInt64BE(BigInt(fields.creationTime), MSM_VALUE_OFFSETS.creationTime);
  out.writeBigInt64BE(BigInt(fields.lastAccessedTime), MSM_VALUE_OFFSETS.lastAccessedTime);
  out.writeInt32BE(fields.maxInactiveInterval, MSM_VALUE_OFFSETS.maxInactiveInterval);
  out[MSM_VALUE_OFFSETS.isNew] = fields.isNew ? 0x31 : 0x30;
  out[MSM_VALUE_OFFSETS.isValid] = fields.isValid ? 0x31 : 0x30;
  out.writeBigInt64BE(BigInt(fields.thisAccessedTime), MSM_VALUE_OFFSETS.thisAccessedTime);
  out.writeBigInt64BE(BigInt(fields.lastBackupTime), MSM_VALUE_OFFSETS.lastBackupTime);
  out.writeUInt16BE(idBytes.length, MSM_VALUE_OFFSETS.idLength);
  let offset = MSM_VALUE_OFFSETS.id + idBytes.copy(out, MSM_VALUE_OFFSETS.id);
  offset = out.writeUInt16BE(authTypeId, offset);
  for (const part of optional) {
    offset = out.writeUInt16BE(part?.length ?? 0, offset);
    if (part) offset += part.copy(out, offset);
  }
  attributes.copy(out, offset);
  return out;
}

/**
 * The same value with another embedded id (MSM loads the id from the value, §1.5), with the id length and
 * sessionFieldsDataLength fixed; all other bytes, the attributes included, are kept.
 */
export function rewriteEmbeddedId(value: Buffer, newId: string): Buffer {
  const decoded = decodeMsmSessionValue(value);
  return encodeMsmSessionValue({ ...decoded, id: newId }, decoded.attributes);
}

export function decodeMsmValidity(value: Buffer): TMsmValidity {
  if (value.length !== MSM_VALIDITY_LENGTH) {
    throw new UnexpectedResponseError(WHAT_VALIDITY, `expected ${MSM_VALIDITY_LENGTH} bytes, got ${value.length}`, {
      length: value.length,
    });
  }
  const cursor = new Cursor(value, WHAT_VALIDITY);
  return {
    maxInactiveInterval: cursor.i32("maxInactiveInterval"),
    lastAccessedTime: cursor.i64("lastAccessedTime"),
    thisAccessedTime: cursor.i64("thisAccessedTime"),
  };
}

export function encodeMsmValidity(validity: TMsmValidity): Buffer {
  checkTimes({ ...validity }, "maxInactiveInterval");
  const out = Buffer.alloc(MSM_VALIDITY_LENGTH);
  out.writeInt32BE(validity.maxInactiveInterval, 0);
  out.writeBigInt64BE(BigInt(validity.lastAccessedTime), 4);
  out.writeBigInt64BE(BigInt(validity.thisAccessedTime), 12);
  return out;
}

/** `SessionValidityInfo.isValid`: never expires when maxInactiveInterval ≤ 0; Java long division truncates. */
export function isMsmValidityValid(validity: TMsmValidity, nowMs: number): boolean {
  return (
    validity.maxInactiveInterval <= 0 ||
    Math.trunc((nowMs - validity.thisAccessedTime) / 1000) < validity.maxInactiveInterval
  );
}
