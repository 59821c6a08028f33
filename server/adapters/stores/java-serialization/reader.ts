import { UnexpectedResponseError } from "@/server/errors";
import {
  DEFAULT_JAVA_LIMITS,
  SC,
  TC,
  type TJavaAnnotation,
  type TJavaArray,
  type TJavaClassRef,
  type TJavaEnum,
  type TJavaLimits,
  type TJavaObject,
  type TJavaPrimitive,
  type TJavaValue,
} from "@/server/adapters/stores/java-serialization/types";

/**
 * A small, safe reader of Java Object Serialization streams (protocol version 2, magic 0xACED version 5,
 * "Java Object Serialization Specification" ch. 6). It never instantiates classes: it walks the
 * self-describing grammar and returns plain data. Known shapes are simplified (boxed primitives, Date,
 * HashMap/LinkedHashMap/Hashtable/TreeMap, ArrayList); anything else is a generic object with its fields
 * per class and the raw `writeObject` annotations.
 * Limitation: a custom `writeObject` that skips `defaultWriteObject()` is only detected when the class's
 * first field is an object (see skipsDefaultFields); otherwise the stream cannot tell and parsing fails.
 */

const WHAT = "Java serialization stream";

const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
const BASE_WIRE_HANDLE = 0x7e0000;

interface TFieldDesc {
  type: string;
  name: string;
  className: string | null;
}

interface TClassDesc {
  kind: "classdesc";
  name: string;
  flags: number;
  fields: TFieldDesc[];
  superDesc: TClassDesc | null;
  proxyInterfaces: string[] | null;
}

type THandle = TJavaValue | TClassDesc;
type TContent = { block: Buffer } | { end: true } | { value: TJavaValue };

/** Thrown inside the reader when the writer aborted (TC_EXCEPTION); the top-level read turns it into a value. */
class WriteAborted extends Error {
  constructor(readonly exception: TJavaValue) {
    super("write aborted");
  }
}

const BOXED_TYPES: Record<string, string> = {
  "java.lang.Integer": "I",
  "java.lang.Long": "J",
  "java.lang.Short": "S",
  "java.lang.Byte": "B",
  "java.lang.Double": "D",
  "java.lang.Float": "F",
  "java.lang.Boolean": "Z",
  "java.lang.Character": "C",
};

const MAP_CLASSES = new Set([
  "java.util.HashMap",
  "java.util.LinkedHashMap",
  "java.util.Hashtable",
  "java.util.TreeMap",
]);

export function fail(detail: string, context: Record<string, unknown> = {}): UnexpectedResponseError {
  return new UnexpectedResponseError(WHAT, detail, context);
}

/** Java's "modified UTF-8" (DataInput.readUTF): 0 as C0 80, supplementary characters as two 3-byte surrogates. */
export function decodeModifiedUtf8(bytes: Buffer): string {
  const units: number[] = [];
  let i = 0;
  const at = (index: number): number => {
    const byte = bytes[index];
    if (byte === undefined || (byte & 0xc0) !== 0x80) throw fail(`malformed modified UTF-8 at byte ${index}`);
    return byte & 0x3f;
  };
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80 && b !== 0) {
      units.push(b);
      i += 1;
    } else if ((b & 0xe0) === 0xc0) {
      units.push(((b & 0x1f) << 6) | at(i + 1));
      i += 2;
    } else if ((b & 0xf0) === 0xe0) {
      units.push(((b & 0x0f) << 12) | (at(i + 1) << 6) | at(i + 2));
      i += 3;
    } else {
      throw fail(`malformed modified UTF-8 at byte ${i}`);
    }
  }
  let out = "";
  for (let start = 0; start < units.length; start += 8192)
    out += String.fromCharCode(...units.slice(start, start + 8192));
  return out;
}

export class JavaObjectReader {
  private offset = 0;
  private handles: THandle[] = [];
  private readonly limits: TJavaLimits;

  constructor(
    private readonly buf: Buffer,
    limits: Partial<TJavaLimits> = {},
  ) {
    this.limits = { ...DEFAULT_JAVA_LIMITS, ...limits };
    if (buf.length < 4) throw fail(`${buf.length} bytes is too short for a stream header`);
    const magic = buf.readUInt16BE(0);
    const version = buf.readUInt16BE(2);
    if (magic !== STREAM_MAGIC) throw fail(`bad magic 0x${magic.toString(16)} (expected 0xaced)`);
    if (version !== STREAM_VERSION) throw fail(`unsupported stream version ${version} (expected 5)`);
    this.offset = 4;
  }

  get position(): number {
    return this.offset;
  }

  atEnd(): boolean {
    return this.offset >= this.buf.length;
  }

  /** Reads one top-level object. A value whose write was aborted (TC_EXCEPTION) comes back as undecodable. */
  readObject(): TJavaValue {
    try {
      return this.objectAt(0);
    } catch (error) {
      if (!(error instanceof WriteAborted)) throw error;
      const exceptionClass =
        error.exception !== null && typeof error.exception === "object" ? error.exception.className : "unknown";
      return {
        kind: "undecodable",
        undecodable: true,
        className: exceptionClass,
        reason: "the writer aborted this object with an exception",
      };
    }
  }

  /** Reads one top-level item: an object, or a block of primitive data (DataOutput writes). */
  readItem(): TJavaAnnotation {
    const content = this.content(0);
    if ("block" in content) return content.block;
    if ("end" in content) throw fail(`unexpected TC_ENDBLOCKDATA at top level (offset ${this.offset - 1})`);
    return content.value;
  }

  // ---- primitives -------------------------------------------------------------------------------

  private need(size: number, what: string): void {
    if (size < 0 || this.offset + size > this.buf.length) {
      throw fail(
        `truncated: ${what} needs ${size} bytes at offset ${this.offset}, ${this.buf.length - this.offset} left`,
        { offset: this.offset },
      );
    }
  }

  private u8(what: string): number {
    this.need(1, what);
    return this.buf[this.offset++] ?? 0;
  }

  private peek(): number {
    this.need(1, "type code");
    return this.buf[this.offset] ?? 0;
  }

  private u16(what: string): number {
    this.need(2, what);
    const value = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  private i32(what: string): number {
    this.need(4, what);
    const value = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  private bytes(size: number, what: string): Buffer {
    this.need(size, what);
    const value = this.buf.subarray(this.offset, this.offset + size);
    this.offset += size;
    return value;
  }

  private utf(what: string): string {
    return decodeModifiedUtf8(this.bytes(this.u16(`${what} length`), what));
  }

  private longUtf(what: string): string {
    this.need(8, `${what} length`);
    const size = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    if (size > BigInt(this.limits.maxStringBytes)) throw fail(`${what} of ${size} bytes exceeds the limit`);
    return decodeModifiedUtf8(this.bytes(Number(size), what));
  }

  private primitive(type: string, what: string): TJavaPrimitive | string {
    switch (type) {
      case "B":
        return this.bytes(1, what).readInt8(0);
      case "C":
        return String.fromCharCode(this.u16(what));
      case "D":
        return this.bytes(8, what).readDoubleBE(0);
      case "F":
        return this.bytes(4, what).readFloatBE(0);
      case "I":
        return this.i32(what);
      case "J":
        return this.bytes(8, what).readBigInt64BE(0);
      case "S":
        return this.bytes(2, what).readInt16BE(0);
      case "Z":
        return this.u8(what) !== 0;
      default:
        throw fail(`unknown primitive type code ${JSON.stringify(type)} for ${what}`);
    }
  }

  // ---- handles ----------------------------------------------------------------------------------

  private newHandle(value: THandle): number {
    if (this.handles.length >= this.limits.maxHandles) throw fail(`more than ${this.limits.maxHandles} handles`);
    this.handles.push(value);
    return this.handles.length - 1;
  }

  private reference(): THandle {
    const handle = this.i32("handle") - BASE_WIRE_HANDLE;
    const value = this.handles[handle];
    if (handle < 0 || value === undefined)
      throw fail(`reference to unknown handle 0x${(handle + BASE_WIRE_HANDLE).toString(16)}`);
    return value;
  }

  // ---- grammar ----------------------------------------------------------------------------------

  private checkDepth(depth: number): void {
    if (depth > this.limits.maxDepth) throw fail(`nesting deeper than ${this.limits.maxDepth}`);
  }

  private content(depth: number): TContent {
    this.checkDepth(depth);
    for (;;) {
      const start = this.offset;
      const tc = this.u8("type code");
      switch (tc) {
        case TC.RESET:
          this.handles = [];
          continue;
        case TC.BLOCKDATA:
          return { block: this.bytes(this.u8("block length"), "block data") };
        case TC.BLOCKDATALONG: {
          const size = this.i32("block length");
          if (size < 0) throw fail(`negative block length at offset ${start}`);
          return { block: this.bytes(size, "block data") };
        }
        case TC.ENDBLOCKDATA:
          return { end: true };
        case TC.NULL:
          return { value: null };
        case TC.REFERENCE: {
          const target = this.reference();
          if (target !== null && typeof target === "object" && target.kind === "classdesc") {
            return { value: { kind: "class", className: target.name } };
          }
          return { value: target };
        }
        case TC.STRING: {
          const index = this.newHandle(null);
          const value = this.utf("string");
          this.handles[index] = value;
          return { value };
        }
        case TC.LONGSTRING: {
          const index = this.newHandle(null);
          const value = this.longUtf("long string");
          this.handles[index] = value;
          return { value };
        }
        case TC.CLASSDESC:
        case TC.PROXYCLASSDESC: {
          this.offset = start;
          const desc = this.classDesc(depth + 1);
          return { value: { kind: "class", className: desc?.name ?? "null" } };
        }
        case TC.CLASS: {
          const desc = this.classDesc(depth + 1);
          const value: TJavaClassRef = { kind: "class", className: desc?.name ?? "null" };
          this.newHandle(value);
          return { value };
        }
        case TC.ENUM: {
          const desc = this.requiredClassDesc(depth + 1, "enum");
          const index = this.newHandle(null);
          const constant = this.objectAt(depth + 1);
          if (typeof constant !== "string") throw fail(`enum ${desc.name} constant name is not a string`);
          const value: TJavaEnum = { kind: "enum", className: desc.name, constant };
          this.handles[index] = value;
          return { value };
        }
        case TC.ARRAY:
          return { value: this.array(depth + 1) };
        case TC.OBJECT:
          return { value: this.object(depth + 1) };
        case TC.EXCEPTION: {
          this.handles = [];
          const exception = this.objectAt(depth + 1);
          this.handles = [];
          throw new WriteAborted(exception);
        }
        default:
          throw fail(`unknown type code 0x${tc.toString(16)} at offset ${start}`, { offset: start });
      }
    }
  }

  private objectAt(depth: number): TJavaValue {
    const start = this.offset;
    const content = this.content(depth);
    if ("value" in content) return content.value;
    throw fail(
      `expected an object at offset ${start}, found ${"block" in content ? "block data" : "TC_ENDBLOCKDATA"}`,
      { offset: start },
    );
  }

  /** classDesc: TC_CLASSDESC | TC_PROXYCLASSDESC | TC_NULL | TC_REFERENCE. */
  private classDesc(depth: number): TClassDesc | null {
    this.checkDepth(depth);
    const tc = this.u8("class descriptor");
    if (tc === TC.NULL) return null;
    if (tc === TC.REFERENCE) {
      const target = this.reference();
      if (target === null || typeof target !== "object" || target.kind !== "classdesc")
        throw fail("reference to a non-class-descriptor where one was expected");
      return target;
    }
    if (tc === TC.CLASSDESC) {
      const name = this.utf("class name");
      this.bytes(8, "serialVersionUID");
      const desc: TClassDesc = {
        kind: "classdesc",
        name,
        flags: 0,
        fields: [],
        superDesc: null,
        proxyInterfaces: null,
      };
      this.newHandle(desc);
      desc.flags = this.u8("class flags");
      const count = this.u16("field count");
      if (count > this.limits.maxFields) throw fail(`class ${name} declares ${count} fields, over the limit`);
      for (let i = 0; i < count; i++) {
        const type = String.fromCharCode(this.u8("field type"));
        const fieldName = this.utf("field name");
        let className: string | null = null;
        if (type === "L" || type === "[") {
          const typeName = this.objectAt(depth + 1);
          if (typeof typeName !== "string") throw fail(`field ${name}.${fieldName} has no type name string`);
          className = typeName;
        } else if (!"BCDFIJSZ".includes(type)) {
          throw fail(`field ${name}.${fieldName} has unknown type code ${JSON.stringify(type)}`);
        }
        desc.fields.push({ type, name: fieldName, className });
      }
      this.skipAnnotation(depth + 1);
      desc.superDesc = this.classDesc(depth + 1);
      return desc;
    }
    if (tc === TC.PROXYCLASSDESC) {
      const desc: TClassDesc = {
        kind: "classdesc",
        name: "",
        flags: SC.SERIALIZABLE,
        fields: [],
        superDesc: null,
        proxyInterfaces: [],
      };
      this.newHandle(desc);
      const count = this.i32("proxy interface count");
      if (count < 0 || count > 65535) throw fail(`bad proxy interface count ${count}`);
      for (let i = 0; i < count; i++) desc.proxyInterfaces?.push(this.utf("proxy interface"));
      desc.name = `$Proxy(${(desc.proxyInterfaces ?? []).join(",")})`;
      this.skipAnnotation(depth + 1);
      desc.superDesc = this.classDesc(depth + 1);
      return desc;
    }
    throw fail(`expected a class descriptor, found type code 0x${tc.toString(16)} at offset ${this.offset - 1}`);
  }

  private requiredClassDesc(depth: number, what: string): TClassDesc {
    const desc = this.classDesc(depth);
    if (desc === null) throw fail(`${what} has a null class descriptor`);
    return desc;
  }

  private annotation(depth: number): TJavaAnnotation[] {
    const items: TJavaAnnotation[] = [];
    for (;;) {
      const content = this.content(depth);
      if ("end" in content) return items;
      if (items.length >= this.limits.maxArrayLength) throw fail("annotation longer than the limit");
      items.push("block" in content ? content.block : content.value);
    }
  }

  private skipAnnotation(depth: number): void {
    this.annotation(depth);
  }

  /**
   * A custom writeObject that never calls defaultWriteObject leaves no field values: its data starts with
   * block data or ends at once. Detectable only when the first declared field is an object (its value
   * would start with an object type code); primitive values are raw bytes and are assumed present.
   */
  private skipsDefaultFields(cls: TClassDesc): boolean {
    const first = cls.fields[0];
    if (first === undefined || first.className === null) return false;
    const next = this.peek();
    return next === TC.BLOCKDATA || next === TC.BLOCKDATALONG || next === TC.ENDBLOCKDATA;
  }

  private array(depth: number): TJavaArray {
    const desc = this.requiredClassDesc(depth, "array");
    const value: TJavaArray = { kind: "array", className: desc.name, items: [] };
    this.newHandle(value);
    const length = this.i32("array length");
    if (length < 0 || length > this.limits.maxArrayLength)
      throw fail(`array ${desc.name} length ${length} is out of bounds`);
    const elementType = desc.name.charAt(1);
    if (elementType === "B") {
      value.items = this.bytes(length, "byte[]");
      return value;
    }
    const items: (TJavaPrimitive | string | TJavaValue)[] = [];
    const primitive = "CDFIJSZ".includes(elementType) && desc.name.length === 2;
    for (let i = 0; i < length; i++)
      items.push(primitive ? this.primitive(elementType, desc.name) : this.objectAt(depth + 1));
    value.items = items;
    return value;
  }

  private object(depth: number): TJavaValue {
    const desc = this.requiredClassDesc(depth, "object");
    const object: TJavaObject = { kind: "object", className: desc.name, fields: {}, annotations: {} };
    const index = this.newHandle(object);
    const chain: TClassDesc[] = [];
    for (let d: TClassDesc | null = desc; d !== null; d = d.superDesc) {
      if (chain.length > this.limits.maxDepth) throw fail("class hierarchy deeper than the limit");
      chain.unshift(d);
    }
    for (const cls of chain) {
      if (cls.flags & SC.EXTERNALIZABLE) {
        if (!(cls.flags & SC.BLOCK_DATA)) {
          // Protocol-1 externalizable data has no length or terminator: nothing after it can be found.
          throw fail(`externalizable ${cls.name} written without block data cannot be skipped`);
        }
        object.annotations[cls.name] = this.annotation(depth + 1);
        continue;
      }
      if (!(cls.flags & SC.SERIALIZABLE)) continue;
      if (cls.flags & SC.WRITE_METHOD && this.skipsDefaultFields(cls)) {
        object.annotations[cls.name] = this.annotation(depth + 1);
        continue;
      }
      for (const field of cls.fields) {
        object.fields[field.name] =
          field.className === null ? this.primitive(field.type, `${cls.name}.${field.name}`) : this.objectAt(depth + 1);
      }
      if (cls.flags & SC.WRITE_METHOD) object.annotations[cls.name] = this.annotation(depth + 1);
    }
    const simplified = simplify(object);
    this.handles[index] = simplified;
    return simplified;
  }
}

function blockInts(items: TJavaAnnotation[] | undefined): { ints: number[]; rest: TJavaValue[] } {
  const ints: number[] = [];
  const rest: TJavaValue[] = [];
  for (const item of items ?? []) {
    if (Buffer.isBuffer(item)) {
      for (let i = 0; i + 4 <= item.length; i += 4) ints.push(item.readInt32BE(i));
    } else {
      rest.push(item);
    }
  }
  return { ints, rest };
}

/** Turns well-known JDK classes into plain shapes; leaves the generic object when its data is not as expected. */
function simplify(object: TJavaObject): TJavaValue {
  const { className } = object;
  const boxedType = BOXED_TYPES[className];
  if (boxedType !== undefined) {
    const value = object.fields.value;
    const ok =
      (boxedType === "J" && typeof value === "bigint") ||
      (boxedType === "Z" && typeof value === "boolean") ||
      (boxedType === "C" && typeof value === "string") ||
      ("BDFIS".includes(boxedType) && typeof value === "number");
    if (
      ok &&
      (typeof value === "number" ||
        typeof value === "bigint" ||
        typeof value === "boolean" ||
        typeof value === "string")
    ) {
      return { kind: "boxed", className, value };
    }
    return object;
  }
  if (className === "java.util.Date" || className === "java.sql.Timestamp") {
    const block = object.annotations["java.util.Date"]?.[0];
    if (Buffer.isBuffer(block) && block.length === 8)
      return { kind: "date", className, epochMs: Number(block.readBigInt64BE(0)) };
    return object;
  }
  if (MAP_CLASSES.has(className)) {
    const writer = className === "java.util.LinkedHashMap" ? "java.util.HashMap" : className;
    const { ints, rest } = blockInts(object.annotations[writer]);
    // HashMap/Hashtable write (capacity, size); TreeMap writes (size).
    const size = className === "java.util.TreeMap" ? ints[0] : ints[1];
    if (size === undefined || rest.length !== size * 2) return object;
    const entries: [TJavaValue, TJavaValue][] = [];
    for (let i = 0; i < size; i++) entries.push([rest[2 * i] ?? null, rest[2 * i + 1] ?? null]);
    return { kind: "map", className, entries };
  }
  if (className === "java.util.ArrayList") {
    const { rest } = blockInts(object.annotations[className]);
    if (object.fields.size !== rest.length) return object;
    return { kind: "list", className, items: rest };
  }
  return object;
}

/** Every top-level item of a stream, in order. */
export function decodeJavaStream(buf: Buffer, limits: Partial<TJavaLimits> = {}): TJavaAnnotation[] {
  const reader = new JavaObjectReader(buf, limits);
  const items: TJavaAnnotation[] = [];
  while (!reader.atEnd()) items.push(reader.readItem());
  return items;
}
