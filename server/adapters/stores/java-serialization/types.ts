/** The data a Java serialization stream decodes to, the grammar's constants, and the reader's limits. */

export const TC = {
  NULL: 0x70,
  REFERENCE: 0x71,
  CLASSDESC: 0x72,
  OBJECT: 0x73,
  STRING: 0x74,
  ARRAY: 0x75,
  CLASS: 0x76,
  BLOCKDATA: 0x77,
  ENDBLOCKDATA: 0x78,
  RESET: 0x79,
  BLOCKDATALONG: 0x7a,
  EXCEPTION: 0x7b,
  LONGSTRING: 0x7c,
  PROXYCLASSDESC: 0x7d,
  ENUM: 0x7e,
} as const;

export const SC = {
  WRITE_METHOD: 0x01,
  SERIALIZABLE: 0x02,
  EXTERNALIZABLE: 0x04,
  BLOCK_DATA: 0x08,
  ENUM: 0x10,
} as const;

/** Marker MSM's JavaSerializationTranscoder writes after a value that threw NotSerializableException. */
export const MSM_NOT_SERIALIZED = "___NOT_SERIALIZABLE_EXCEPTION___";

export interface TJavaLimits {
  maxDepth: number;
  maxHandles: number;
  maxArrayLength: number;
  maxStringBytes: number;
  maxFields: number;
}

export const DEFAULT_JAVA_LIMITS: TJavaLimits = {
  maxDepth: 64,
  maxHandles: 100_000,
  maxArrayLength: 1_000_000,
  maxStringBytes: 16 * 1024 * 1024,
  maxFields: 4096,
};

export type TJavaPrimitive = number | bigint | boolean;

export type TJavaValue =
  | null
  | string
  | TJavaBoxed
  | TJavaDate
  | TJavaMap
  | TJavaList
  | TJavaObject
  | TJavaArray
  | TJavaEnum
  | TJavaClassRef
  | TJavaUndecodable;

/** java.lang.Integer/Short/Byte/Double/Float → number, Long → bigint, Boolean → boolean, Character → string. */
export interface TJavaBoxed {
  kind: "boxed";
  className: string;
  value: TJavaPrimitive | string;
}
export interface TJavaDate {
  kind: "date";
  className: string;
  epochMs: number;
}
export interface TJavaMap {
  kind: "map";
  className: string;
  entries: [TJavaValue, TJavaValue][];
}
export interface TJavaList {
  kind: "list";
  className: string;
  items: TJavaValue[];
}
export type TJavaAnnotation = Buffer | TJavaValue;
export interface TJavaObject {
  kind: "object";
  className: string;
  /** Serializable fields of every class in the hierarchy (a subclass field shadows a superclass one). */
  fields: Record<string, TJavaPrimitive | string | TJavaValue>;
  /** What each class's custom writeObject wrote after its fields: block data and objects, by class name. */
  annotations: Record<string, TJavaAnnotation[]>;
}
export interface TJavaArray {
  kind: "array";
  className: string;
  /** Buffer for byte[]; otherwise one item per element. */
  items: Buffer | (TJavaPrimitive | string | TJavaValue)[];
}
export interface TJavaEnum {
  kind: "enum";
  className: string;
  constant: string;
}
export interface TJavaClassRef {
  kind: "class";
  className: string;
}
export interface TJavaUndecodable {
  kind: "undecodable";
  undecodable: true;
  className: string;
  reason: string;
}
