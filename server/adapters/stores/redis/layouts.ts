import { AppError } from "@/server/errors";

/**
 * Redis key layouts of the three session stores the console reads (docs/reference/session-stores.md §2–§4):
 * - jcoleman tomcat-redis-session-manager (master bb72ab2): the key is the bare session id, no prefix;
 * - Redisson Tomcat manager (4.x): `[keyPrefix:]redisson:tomcat_session:<id>` hashes;
 * - Spring Session Data Redis (4.x): `<namespace>:sessions:<id>` hashes plus the indexed repository's keys.
 * Pure naming and classification; values are decoded elsewhere (Java serialization, Kryo for Redisson).
 */

export const REDIS_LAYOUTS = ["tomcat-redis-session-manager", "redisson", "spring-session"] as const;
export type TRedisLayout = (typeof REDIS_LAYOUTS)[number];

export interface TRedisLayoutOptions {
  /** Redisson `keyPrefix` (default ""); `:` is added only when it is non-empty. */
  keyPrefix?: string;
  /** Spring Session namespace (default `spring:session`), `spring.session.redis.namespace`. */
  namespace?: string;
}

export type TRedisKeyRole =
  /** The key holding the session itself (string for jcoleman, hash for Redisson and Spring). */
  | "session"
  /** Spring indexed repository: `<ns>:sessions:expires:<id>`, the shadow key whose expiry fires events. */
  | "expires"
  /** Spring indexed repository: minute buckets `<ns>:expirations:<ms>` or the 3.4+ ZSET `<ns>:sessions:expirations`. */
  | "expirations"
  /** Spring indexed repository: `<ns>:index:…PRINCIPAL_NAME_INDEX_NAME:<principal>` set of ids. */
  | "principal-index"
  /** Redisson `redisson:tomcat_notified_nodes:<id>` set (broadcastSessionEvents only). */
  | "notified-nodes"
  /** Redisson SSO valve's map, stored under the session prefix (`redisson:tomcat_session:redisson:tomcat_sso`). */
  | "sso"
  | "other";

export interface TRedisKeyClass {
  role: TRedisKeyRole;
  sessionId: string | null;
}

/** jcoleman claims an id with `SETNX id "null"` before writing the real value (`NULL_SESSION`). */
export const JCOLEMAN_NULL_PLACEHOLDER = "null";

export const REDISSON_KEYS = {
  session: "redisson:tomcat_session:",
  notifiedNodes: "redisson:tomcat_notified_nodes:",
  sso: "redisson:tomcat_sso",
  /** Pub/sub channel prefix (+ context name), not a key; listed so nobody mistakes it for one. */
  updatesTopic: "redisson:tomcat_session_updates:",
} as const;

/** Metadata fields of a Redisson session hash (`RedissonSession`); every other field is an attribute. */
export const REDISSON_SESSION_FIELDS = {
  creationTime: "session:creationTime",
  lastAccessedTime: "session:lastAccessedTime",
  thisAccessedTime: "session:thisAccessedTime",
  maxInactiveInterval: "session:maxInactiveInterval",
  isValid: "session:isValid",
  isNew: "session:isNew",
  principal: "session:principal",
  authType: "session:authtype",
  isExpirationLocked: "session:isExpirationLocked",
} as const;

export const SPRING_DEFAULT_NAMESPACE = "spring:session";

/** Hash fields of a Spring session (`RedisSessionMapper`); attributes are `sessionAttr:<name>`. */
export const SPRING_SESSION_FIELDS = {
  creationTime: "creationTime",
  lastAccessedTime: "lastAccessedTime",
  maxInactiveInterval: "maxInactiveInterval",
  attributePrefix: "sessionAttr:",
} as const;

const SPRING_PRINCIPAL_INDEX = "org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME";

/** Tomcat's `StandardSessionIdGenerator` ids: hex, optionally `.jvmRoute`. */
const TOMCAT_ID = /^[0-9A-Fa-f]{16,}(\.[\x21-\x39\x3b-\x7e]+)?$/;
/** One key segment: non-empty, no `:`, printable. */
const SEGMENT = /^[\x21-\x39\x3b-\x7e]+$/;

function redissonBase(options: TRedisLayoutOptions): string {
  const prefix = options.keyPrefix ?? "";
  return prefix === "" ? "" : `${prefix}:`;
}

function springBase(options: TRedisLayoutOptions): string {
  const namespace = options.namespace ?? SPRING_DEFAULT_NAMESPACE;
  if (namespace === "") throw new AppError("INVALID_INPUT", "Spring Session namespace must not be empty");
  return `${namespace}:`;
}

function checkId(sessionId: string): void {
  if (sessionId === "" || /[\s]/.test(sessionId))
    throw new AppError("INVALID_INPUT", `"${sessionId}" is not a session id`, { sessionId });
}

/** The key holding the session itself. */
export function redisSessionKey(layout: TRedisLayout, sessionId: string, options: TRedisLayoutOptions = {}): string {
  checkId(sessionId);
  switch (layout) {
    case "tomcat-redis-session-manager":
      return sessionId;
    case "redisson":
      return `${redissonBase(options)}${REDISSON_KEYS.session}${sessionId}`;
    case "spring-session":
      return `${springBase(options)}sessions:${sessionId}`;
  }
}

/**
 * Every key derived from the id alone (what a copy between instances must carry along with TTLs). Not
 * included: Spring's expirations bucket and principal index, which depend on values, not on the id.
 */
export function redisKeysForSession(
  layout: TRedisLayout,
  sessionId: string,
  options: TRedisLayoutOptions = {},
): string[] {
  const main = redisSessionKey(layout, sessionId, options);
  switch (layout) {
    case "tomcat-redis-session-manager":
      return [main];
    case "redisson":
      return [main, `${redissonBase(options)}${REDISSON_KEYS.notifiedNodes}${sessionId}`];
    case "spring-session":
      return [main, `${springBase(options)}sessions:expires:${sessionId}`];
  }
}

/** Escapes Redis glob metacharacters (`* ? [ ] \`) in a literal key part. */
export function escapeRedisGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, "\\$&");
}

/**
 * SCAN MATCH patterns that cover the layout's session keys. jcoleman keys have no prefix, so its pattern
 * is `*` and classifyRedisKey must filter (the manager itself assumes a dedicated DB: `KEYS *`, `DBSIZE`).
 */
export function redisScanPatterns(layout: TRedisLayout, options: TRedisLayoutOptions = {}): string[] {
  switch (layout) {
    case "tomcat-redis-session-manager":
      return ["*"];
    case "redisson":
      return [`${escapeRedisGlob(redissonBase(options) + REDISSON_KEYS.session)}*`];
    case "spring-session": {
      const base = escapeRedisGlob(springBase(options));
      return [`${base}sessions:*`, `${base}expirations:*`, `${base}index:*`];
    }
  }
}

/** SCAN MATCH patterns of the session keys alone (what the session index reads). */
export function redisSessionScanPatterns(layout: TRedisLayout, options: TRedisLayoutOptions = {}): string[] {
  return layout === "spring-session"
    ? [`${escapeRedisGlob(springBase(options))}sessions:*`]
    : redisScanPatterns(layout, options);
}

function segmentOrNull(rest: string): string | null {
  return SEGMENT.test(rest) ? rest : null;
}

const OTHER: TRedisKeyClass = { role: "other", sessionId: null };

export function classifyRedisKey(layout: TRedisLayout, key: string, options: TRedisLayoutOptions = {}): TRedisKeyClass {
  switch (layout) {
    case "tomcat-redis-session-manager":
      return TOMCAT_ID.test(key) ? { role: "session", sessionId: key } : OTHER;
    case "redisson": {
      const base = redissonBase(options);
      const sessionStart = base + REDISSON_KEYS.session;
      if (key === sessionStart + REDISSON_KEYS.sso) return { role: "sso", sessionId: null };
      if (key.startsWith(sessionStart)) {
        // Ids are Tomcat's (no `:`); any other map Redisson's manager put under this prefix is not a session.
        const id = segmentOrNull(key.slice(sessionStart.length));
        return id === null ? OTHER : { role: "session", sessionId: id };
      }
      const notified = base + REDISSON_KEYS.notifiedNodes;
      if (key.startsWith(notified)) {
        const id = segmentOrNull(key.slice(notified.length));
        return id === null ? OTHER : { role: "notified-nodes", sessionId: id };
      }
      return OTHER;
    }
    case "spring-session": {
      const base = springBase(options);
      if (!key.startsWith(base)) return OTHER;
      const rest = key.slice(base.length);
      if (rest === "sessions:expirations") return { role: "expirations", sessionId: null };
      if (rest.startsWith("sessions:expires:")) {
        const id = segmentOrNull(rest.slice("sessions:expires:".length));
        return id === null ? OTHER : { role: "expires", sessionId: id };
      }
      if (rest.startsWith("sessions:")) {
        const id = segmentOrNull(rest.slice("sessions:".length));
        return id === null ? OTHER : { role: "session", sessionId: id };
      }
      if (rest.startsWith("expirations:") && /^\d+$/.test(rest.slice("expirations:".length)))
        return { role: "expirations", sessionId: null };
      if (rest.startsWith(`index:${SPRING_PRINCIPAL_INDEX}:`)) return { role: "principal-index", sessionId: null };
      return OTHER;
    }
  }
}

export interface TSplitHash<T> {
  /** Metadata fields by their short name (creationTime, …). */
  metadata: Partial<Record<string, T>>;
  /** Attribute values by attribute name. */
  attributes: Record<string, T>;
}

/** Splits a Redisson session hash (HGETALL) into metadata and attributes. */
export function splitRedissonHash<T>(hash: Record<string, T>): TSplitHash<T> {
  const byField = new Map<string, string>(
    Object.entries(REDISSON_SESSION_FIELDS).map(([name, field]) => [field, name]),
  );
  const result: TSplitHash<T> = { metadata: {}, attributes: {} };
  for (const [field, value] of Object.entries(hash)) {
    const name = byField.get(field);
    if (name !== undefined) result.metadata[name] = value;
    else result.attributes[field] = value;
  }
  return result;
}

/** Splits a Spring session hash (HGETALL); unknown fields are ignored rather than taken as attributes. */
export function splitSpringHash<T>(hash: Record<string, T>): TSplitHash<T> {
  const result: TSplitHash<T> = { metadata: {}, attributes: {} };
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith(SPRING_SESSION_FIELDS.attributePrefix)) {
      result.attributes[field.slice(SPRING_SESSION_FIELDS.attributePrefix.length)] = value;
    } else if (
      field === SPRING_SESSION_FIELDS.creationTime ||
      field === SPRING_SESSION_FIELDS.lastAccessedTime ||
      field === SPRING_SESSION_FIELDS.maxInactiveInterval
    ) {
      result.metadata[field] = value;
    }
  }
  return result;
}

/** True for jcoleman's 4-byte `null` placeholder: the id is claimed but the session is not written yet. */
export function isJcolemanPlaceholder(value: Buffer | string): boolean {
  return (typeof value === "string" ? value : value.toString("latin1")) === JCOLEMAN_NULL_PLACEHOLDER;
}
