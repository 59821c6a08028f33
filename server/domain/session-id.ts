import { AppError } from "@/server/errors";

/**
 * Session ids of memcached-session-manager (MSM 2.3.2, `SessionIdFormat`) and plain Tomcat
 * (`StandardSessionIdGenerator`): docs/reference/session-stores.md §1.2 and §5.1.
 * - MSM: `<tomcatId>-<nodeId>[.<jvmRoute>]`, valid when it matches `[^-.]+-[^.]+(\.[^.]+)?` (`isValid`).
 * - Tomcat: `<HEX>[.<jvmRoute>]`, no node (single-node / couchbase / redis MSM configs, plain managers).
 * A `-` that comes after the first `.` belongs to the route (`extractMemcachedId`), so `ABC.tomcat-1`
 * is a plain id with route `tomcat-1`. Not for Spring Session ids: a UUID's dashes would read as a node.
 */

export interface TSessionId {
  /** The full id as it appears in the cookie and in memcached keys. */
  id: string;
  /** The part before the node and the route (Tomcat's random hex). */
  baseId: string;
  /** MSM memcached node id (`n1`); null for plain Tomcat ids. */
  nodeId: string | null;
  /** Tomcat jvmRoute (everything after the first `.`); null when the id has none. */
  route: string | null;
}

const MSM_VALID = /^[^-.]+-[^.]+(\.[^.]+)?$/;
/** memcachedNodes' node id syntax (`MemcachedNodesManager.NODE_REGEX`: `[\w]+`). */
const NODE_ID = /^\w+$/;
/** Cookie-value characters Tomcat could ever produce; anything else is not a session id. */
const ID_CHARS = /^[\x21-\x7e]+$/;
/** `:` never occurs in Tomcat/MSM ids and rejecting it keeps `bak:`/`lock:` keys from reading as ids. */
const FORBIDDEN_CHARS = /[;,="\\:]/;
const MAX_ID_LENGTH = 512;

function invalid(message: string, input: string): AppError {
  return new AppError("INVALID_INPUT", message, { input: input.length > 200 ? `${input.slice(0, 200)}…` : input });
}

/** Parses one bare session id (no cookie name, no quotes). Throws AppError INVALID_INPUT when malformed. */
/**
 * The jvmRoute of any session id: everything after the first ".", as balancers and MSM read it
 * (extractJvmRoute). Works for ids parseSessionId rejects (Spring Session UUIDs carry no route: null).
 */
export function routeOfSessionId(id: string): string | null {
  const dot = id.indexOf(".");
  return dot >= 0 && dot < id.length - 1 ? id.slice(dot + 1) : null;
}

/**
 * What stays of an id when a session manager renames it on failover: the part before the MSM node and the
 * route (JvmRouteBinderValve and sticky MSM change the route, an MSM node failover the node).
 */
export function baseOfSessionId(id: string): string {
  const end = id.search(/[-.]/);
  return end > 0 ? id.slice(0, end) : id;
}

export function parseSessionId(raw: string): TSessionId {
  const id = raw.trim();
  if (id === "") throw invalid("Session id is empty", raw);
  if (id.length > MAX_ID_LENGTH) throw invalid(`Session id is longer than ${MAX_ID_LENGTH} characters`, raw);
  if (!ID_CHARS.test(id) || FORBIDDEN_CHARS.test(id)) {
    throw invalid("Session id contains characters that cannot appear in a session cookie", raw);
  }
  const idxDash = id.indexOf("-");
  const idxDot = id.indexOf(".");
  const hasNode = idxDash >= 0 && (idxDot < 0 || idxDash < idxDot);
  if (hasNode) {
    if (!MSM_VALID.test(id)) throw invalid(`"${id}" is not a valid MSM session id (<id>-<node>[.<route>])`, raw);
    const nodeId = idxDot < 0 ? id.slice(idxDash + 1) : id.slice(idxDash + 1, idxDot);
    return { id, baseId: id.slice(0, idxDash), nodeId, route: idxDot < 0 ? null : id.slice(idxDot + 1) };
  }
  if (idxDot === 0) throw invalid(`"${id}" has a route but no id before it`, raw);
  if (idxDot >= 0 && idxDot === id.length - 1) throw invalid(`"${id}" ends with "." and an empty route`, raw);
  return {
    id,
    baseId: idxDot < 0 ? id : id.slice(0, idxDot),
    nodeId: null,
    route: idxDot < 0 ? null : id.slice(idxDot + 1),
  };
}

const DASH = 0x2d;
const DOT = 0x2e;
/**
 * 1 for each byte an id may hold: printable ASCII but the FORBIDDEN_CHARS ; , = " \\ : (a table, not a
 * Set: it is read once per byte of four million keys in a scan).
 */
const ID_BYTE = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) ID_BYTE[c] = 1;
for (const c of [0x3b, 0x2c, 0x3d, 0x22, 0x5c, 0x3a]) ID_BYTE[c] = 0;

/**
 * parseSessionId's rule on bytes, for scans that must not build a string per key: true when bytes
 * [start, end) are an id parseSessionId accepts as it is (session-id.test.ts checks they agree).
 */
export function isSessionIdBytes(buf: Uint8Array, start: number, end: number): boolean {
  return idBytesForm(buf, start, end, false) === ID_PLAIN;
}

export const NOT_ID = 0;
/** The bytes are an id as they stand (no uri-encoding in them). */
export const ID_PLAIN = 1;
/** The bytes hold a "%": uri-encoded (a metadump key), to be decoded before judging them. */
export const ID_ENCODED = 2;
const PERCENT = 0x25;

/**
 * isSessionIdBytes and "is there a %?" in one pass over the bytes: a scan of four million metadump keys
 * asked both of each key, and two passes over every id were a tenth of its time.
 */
export function sessionIdBytesForm(buf: Uint8Array, start: number, end: number): number {
  return idBytesForm(buf, start, end, true);
}

function idBytesForm(buf: Uint8Array, start: number, end: number, percentEncoded: boolean): number {
  let dash = -1;
  let dot = -1;
  let dotsAfterFirst = 0;
  let bad = false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === PERCENT && percentEncoded) return ID_ENCODED;
    if (ID_BYTE[c] === 0) {
      if (!percentEncoded) return NOT_ID;
      bad = true; // a "%" further on still makes it an encoded key
    } else if (c === DOT) {
      if (dot < 0) dot = i;
      else dotsAfterFirst++;
    } else if (c === DASH && dash < 0) dash = i;
  }
  const n = end - start;
  if (bad || n <= 0 || n > MAX_ID_LENGTH) return NOT_ID;
  if (dash >= 0 && (dot < 0 || dash < dot)) {
    // MSM: <base>-<node>[.<route>], `[^-.]+-[^.]+(\.[^.]+)?`
    if (dash === start || dotsAfterFirst > 0) return NOT_ID;
    if (dot < 0) return dash < end - 1 ? ID_PLAIN : NOT_ID;
    return dot > dash + 1 && dot < end - 1 ? ID_PLAIN : NOT_ID;
  }
  return dot !== start && dot !== end - 1 ? ID_PLAIN : NOT_ID;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * Takes what an operator pastes and returns the parsed id:
 * - a bare id;
 * - a cookie pair `JSESSIONID=…` or a whole Cookie header (`Cookie:` prefix optional; the first cookie with
 *   that exact name wins, as browsers send the most specific path first);
 * - a URL with Tomcat's path parameter `;jsessionid=…` (matched case-insensitively: Tomcat lower-cases nothing,
 *   but the default parameter name is lowercase while the default cookie name is uppercase).
 */
export function extractSessionId(cookieOrId: string, cookieName = "JSESSIONID"): TSessionId {
  let text = cookieOrId.trim().replace(/^cookie:\s*/i, "");
  if (text === "") throw invalid("No session id given", cookieOrId);

  const uriParam = new RegExp(`;${escapeRegExp(cookieName)}=([^;?#&/\\s]*)`, "i").exec(text);
  const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith("/");
  if (looksLikeUrl) {
    if (uriParam === null || uriParam[1] === undefined || uriParam[1] === "") {
      throw invalid(`URL has no ;${cookieName.toLowerCase()}= path parameter`, cookieOrId);
    }
    return parseSessionId(decodeURIComponent(uriParam[1]));
  }

  if (text.includes("=")) {
    for (const part of text.split(";")) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() !== cookieName) continue;
      text = unquote(part.slice(eq + 1).trim());
      if (text === "") throw invalid(`Cookie ${cookieName} is empty`, cookieOrId);
      return parseSessionId(text);
    }
    // A relative URL such as `app/page;jsessionid=…` also contains "=".
    if (uriParam?.[1]) return parseSessionId(decodeURIComponent(uriParam[1]));
    throw invalid(`No ${cookieName} cookie in the given text`, cookieOrId);
  }
  return parseSessionId(unquote(text));
}

/** Inverse of parseSessionId: `baseId[-nodeId][.route]`. */
export function formatSessionId(parts: Pick<TSessionId, "baseId" | "nodeId" | "route">): string {
  const node = parts.nodeId === null ? "" : `-${parts.nodeId}`;
  const route = parts.route === null ? "" : `.${parts.route}`;
  return parseSessionId(`${parts.baseId}${node}${route}`).id;
}

function assertNodeId(nodeId: string): void {
  if (!NODE_ID.test(nodeId))
    throw new AppError("INVALID_INPUT", `"${nodeId}" is not an MSM node id (word characters only)`, { nodeId });
}

/**
 * The id MSM gives a session re-homed to `nodeId` (`SessionIdFormat.createNewSessionId`): the node part is
 * replaced (or added to a plain id), the jvmRoute is kept.
 */
export function withNode(id: string, nodeId: string): string {
  assertNodeId(nodeId);
  const parsed = parseSessionId(id);
  return formatSessionId({ ...parsed, nodeId });
}

/** `SessionIdFormat.changeJvmRoute`: same id and node, another route (what a Tomcat failover does). */
export function withRoute(id: string, route: string): string {
  const parsed = parseSessionId(id);
  return formatSessionId({ ...parsed, route });
}
