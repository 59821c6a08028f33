/**
 * The session formats built on Java serialization: MSM's attributes blob, StandardSession's
 * writeObjectData (DataSourceStore rows), and tomcat-redis-session-manager's values.
 */
import { fail, JavaObjectReader } from "@/server/adapters/stores/java-serialization/reader";
import {
  MSM_NOT_SERIALIZED,
  type TJavaLimits,
  type TJavaPrimitive,
  type TJavaValue,
} from "@/server/adapters/stores/java-serialization/types";

function readCount(reader: JavaObjectReader, what: string): number {
  const count = reader.readObject();
  if (
    count === null ||
    typeof count !== "object" ||
    count.kind !== "boxed" ||
    count.className !== "java.lang.Integer" ||
    typeof count.value !== "number"
  ) {
    throw fail(`${what}: expected an Integer attribute count`);
  }
  if (count.value < 0) throw fail(`${what}: negative attribute count ${count.value}`);
  return count.value;
}

export interface TJavaAttributes {
  attributes: Record<string, TJavaValue>;
  /** Names whose value the writer could not serialize (MSM marker or aborted write); their values are lost. */
  notSerializable: string[];
}

function readAttributes(reader: JavaObjectReader, what: string): TJavaAttributes {
  const count = readCount(reader, what);
  const result: TJavaAttributes = { attributes: {}, notSerializable: [] };
  for (let i = 0; i < count; i++) {
    const name = reader.readObject();
    if (typeof name !== "string") throw fail(`${what}: attribute name #${i} is not a string`);
    const value = reader.readObject();
    if (value === MSM_NOT_SERIALIZED) {
      result.notSerializable.push(name);
      continue;
    }
    if (value !== null && typeof value === "object" && value.kind === "undecodable") {
      result.notSerializable.push(name);
      // After an aborted write MSM's transcoder writes its marker in place of the value.
      if (!reader.atEnd()) {
        const save = reader.position;
        const next = reader.readObject();
        if (next !== MSM_NOT_SERIALIZED)
          throw fail(`${what}: attribute "${name}" was aborted without MSM's marker (offset ${save})`);
      }
      continue;
    }
    result.attributes[name] = value;
  }
  return result;
}

/**
 * The attributes blob of MSM's default JavaSerializationTranscoder (docs/reference/session-stores.md §1.5): Integer
 * count, then (String name, Object value) pairs.
 */
export function decodeMsmAttributes(blob: Buffer, limits: Partial<TJavaLimits> = {}): TJavaAttributes {
  return readAttributes(new JavaObjectReader(blob, limits), "MSM attributes");
}

export interface TStandardSessionData extends TJavaAttributes {
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveInterval: number;
  isNew: boolean;
  isValid: boolean;
  thisAccessedTime: number;
  id: string;
  /** Which auth fields the writer's Tomcat version wrote (docs/reference/session-stores.md §5.5). */
  format: "tomcat7" | "tomcat9.0.32" | "tomcat9.0.66+";
  authType: string | null;
  principal: TJavaValue;
  expectedSessionId: string | null;
  savedRequest: TJavaValue;
}

function boxed(value: TJavaValue, className: string, field: string): TJavaPrimitive | string {
  if (value === null || typeof value !== "object" || value.kind !== "boxed" || value.className !== className) {
    throw fail(`StandardSession: ${field} is not a ${className}`);
  }
  return value.value;
}

function isInteger(value: TJavaValue): boolean {
  return (
    value !== null && typeof value === "object" && value.kind === "boxed" && value.className === "java.lang.Integer"
  );
}

function stringOrNull(value: TJavaValue, field: string): string | null {
  if (value !== null && typeof value !== "string") throw fail(`StandardSession: ${field} is not a String`);
  return value;
}

/**
 * `StandardSession.writeObjectData` (DataSourceStore rows, FileStore files, jcoleman Redis values after the
 * metadata object). The auth fields differ by Tomcat version; they are told apart by type because
 * authType/expectedSessionId are String-or-null and the attribute count is an Integer.
 */
export function decodeStandardSession(buf: Buffer, limits: Partial<TJavaLimits> = {}): TStandardSessionData {
  const reader = new JavaObjectReader(buf, limits);
  return readStandardSession(reader);
}

export function readStandardSession(reader: JavaObjectReader): TStandardSessionData {
  const creationTime = Number(boxed(reader.readObject(), "java.lang.Long", "creationTime"));
  const lastAccessedTime = Number(boxed(reader.readObject(), "java.lang.Long", "lastAccessedTime"));
  const maxInactiveInterval = Number(boxed(reader.readObject(), "java.lang.Integer", "maxInactiveInterval"));
  const isNew = boxed(reader.readObject(), "java.lang.Boolean", "isNew") === true;
  const isValid = boxed(reader.readObject(), "java.lang.Boolean", "isValid") === true;
  const thisAccessedTime = Number(boxed(reader.readObject(), "java.lang.Long", "thisAccessedTime"));
  const id = stringOrNull(reader.readObject(), "id");
  if (id === null) throw fail("StandardSession: id is null");
  let format: TStandardSessionData["format"] = "tomcat7";
  let authType: string | null = null;
  let principal: TJavaValue = null;
  let expectedSessionId: string | null = null;
  let savedRequest: TJavaValue = null;
  const position = reader.position;
  const next = reader.readObject();
  // Re-reading is impossible, so peek by type: an Integer here is the attribute count of the Tomcat 7 format.
  let countValue: TJavaValue = next;
  if (!isInteger(next)) {
    format = "tomcat9.0.32";
    authType = stringOrNull(next, "authType");
    principal = reader.readObject();
    const third = reader.readObject();
    if (isInteger(third)) {
      countValue = third;
    } else {
      format = "tomcat9.0.66+";
      expectedSessionId = stringOrNull(third, "expectedSessionId");
      savedRequest = reader.readObject();
      countValue = reader.readObject();
    }
  }
  if (!isInteger(countValue))
    throw fail(`StandardSession: no Integer attribute count after the fields (from offset ${position})`);
  const count = Number(boxed(countValue, "java.lang.Integer", "count"));
  const attributes = readPairs(reader, count);
  return {
    creationTime,
    lastAccessedTime,
    maxInactiveInterval,
    isNew,
    isValid,
    thisAccessedTime,
    id,
    format,
    authType,
    principal,
    expectedSessionId,
    savedRequest,
    ...attributes,
  };
}

function readPairs(reader: JavaObjectReader, count: number): TJavaAttributes {
  if (count < 0) throw fail(`negative attribute count ${count}`);
  const result: TJavaAttributes = { attributes: {}, notSerializable: [] };
  for (let i = 0; i < count; i++) {
    const name = reader.readObject();
    if (typeof name !== "string") throw fail(`attribute name #${i} is not a string`);
    const value = reader.readObject();
    if (value !== null && typeof value === "object" && value.kind === "undecodable") result.notSerializable.push(name);
    else result.attributes[name] = value;
  }
  return result;
}

export interface TJcolemanSessionValue extends TStandardSessionData {
  /** MD5 of the serialized attribute map (`SessionSerializationMetadata`), hex; null in old versions. */
  attributesHash: string | null;
  /** Old versions wrote `writeLong(creationTime)` first instead of the metadata object. */
  leadingCreationTime: number | null;
}

/**
 * A jcoleman tomcat-redis-session-manager value (docs/reference/session-stores.md §2): `SessionSerializationMetadata`
 * (its writeObject writes int length + hash bytes, no default fields), then `StandardSession.writeObjectData` of the
 * Tomcat it runs on. Older releases wrote a raw long creationTime instead of the metadata object.
 */
export function decodeJcolemanSessionValue(buf: Buffer, limits: Partial<TJavaLimits> = {}): TJcolemanSessionValue {
  const reader = new JavaObjectReader(buf, limits);
  const first = reader.readItem();
  let attributesHash: string | null = null;
  let leadingCreationTime: number | null = null;
  if (Buffer.isBuffer(first)) {
    if (first.length !== 8)
      throw fail(`jcoleman value starts with ${first.length} bytes of block data, expected a long`);
    leadingCreationTime = Number(first.readBigInt64BE(0));
  } else if (
    first !== null &&
    typeof first === "object" &&
    first.kind === "object" &&
    first.className.endsWith(".SessionSerializationMetadata")
  ) {
    const block = first.annotations[first.className]?.find((item): item is Buffer => Buffer.isBuffer(item));
    const length = block !== undefined && block.length >= 4 ? block.readInt32BE(0) : -1;
    if (block === undefined || length < 0 || block.length !== 4 + length)
      throw fail("jcoleman SessionSerializationMetadata is malformed");
    attributesHash = block.subarray(4).toString("hex");
  } else {
    throw fail("jcoleman value does not start with SessionSerializationMetadata");
  }
  return { attributesHash, leadingCreationTime, ...readStandardSession(reader) };
}
