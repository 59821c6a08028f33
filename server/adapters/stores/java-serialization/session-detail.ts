import type { TSessionDetail } from "@/server/adapters/stores/adapter";
import type { TStandardSessionData } from "@/server/adapters/stores/java-serialization/decode";
import { describeJavaValue } from "@/server/adapters/stores/java-serialization/describe";

/** What every decodable session format yields: StandardSession's fields, MSM's header + attributes. */
export type TDecodedSession = Pick<
  TStandardSessionData,
  "creationTime" | "lastAccessedTime" | "maxInactiveInterval" | "attributes" | "notSerializable"
> & {
  /** Why there are no attributes to show although the value has some (another transcoder wrote them). */
  attributesNote?: string;
};

/**
 * A session detail from a decoder (`StandardSession.writeObjectData` values of DataSourceStore rows and
 * jcoleman Redis values, MSM values). A value that does not decode is still a detail, with the reason,
 * never an exception.
 */
export function standardSessionDetail(node: string, key: string, decode: () => TDecodedSession): TSessionDetail {
  const base: TSessionDetail = {
    node,
    key,
    creationTime: null,
    lastAccessedTime: null,
    maxInactiveInterval: null,
    attributes: [],
    notSerializable: [],
    attributesNote: null,
    decodeError: null,
  };
  try {
    const s = decode();
    return {
      ...base,
      creationTime: new Date(s.creationTime),
      lastAccessedTime: new Date(s.lastAccessedTime),
      maxInactiveInterval: s.maxInactiveInterval,
      attributes: Object.entries(s.attributes).map(([name, value]) => ({ name, value: describeJavaValue(value) })),
      notSerializable: s.notSerializable,
      attributesNote: s.attributesNote ?? null,
    };
  } catch (err) {
    return { ...base, decodeError: (err as Error).message };
  }
}
