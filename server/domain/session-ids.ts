/**
 * Live session ids are bearer credentials for the applications' end users: whoever holds one is that
 * user. Viewers see them masked (enough to tell rows apart and to compare with a cookie they pasted);
 * operators and admins see them whole. Searching by id or prefix runs on the full ids server-side, before
 * anything is masked.
 *
 * maskSessionIdsDeep() finds ids by FIELD NAME in any answer, whatever its shape:
 * - SESSION_ID_FIELDS: a string that is one session id (`sessionId`, `baseId`);
 * - SESSION_ID_LIST_FIELDS: an array of session ids (`ids`, `sessions`, `sessionIds`, `waiting`, `renamedIds`);
 * - STORE_KEY_FIELDS: a store key that ends in a session id (`key`: `validity:ID`, `spring:session:sessions:ID`);
 * - JSON_TEXT_FIELDS: JSON kept as text (an operation's `report` and `params`), searched the same way;
 * - ATTRIBUTE_LIST_FIELDS: decoded session attributes (`attributes: [{ name, value }]`): values hidden.
 * Every id found is then also masked wherever it appears inside any other string of the same answer (an
 * operation's or audit entry's `target`, a warning that quotes it). A service that puts ids in a new
 * place uses one of these names, or adds its name here.
 */
export const SESSION_ID_FIELDS = ["sessionId", "baseId"] as const;
export const SESSION_ID_LIST_FIELDS = ["ids", "sessions", "sessionIds", "waiting", "renamedIds"] as const;
export const STORE_KEY_FIELDS = ["key"] as const;
export const JSON_TEXT_FIELDS = ["report", "params"] as const;
export const ATTRIBUTE_LIST_FIELDS = ["attributes"] as const;

/** What replaces a decoded attribute value for a role that may not read session content. */
export const HIDDEN_ATTRIBUTE_VALUE = "(hidden: needs the operator role)";

const MASK = "…";

/**
 * `A1B2C3D4E5F60718293A4B5C6D7E8F90-n1.tomcat2` → `A1B2C3…8F90-n1.tomcat2`: the route and MSM node stay
 * (they say where the session lives, and are not secret); of Tomcat's 32 random hex digits, 10 stay.
 */
export function maskSessionId(id: string): string {
  const dot = id.indexOf(".");
  const route = dot >= 0 ? id.slice(dot) : "";
  let base = dot >= 0 ? id.slice(0, dot) : id;
  let node = "";
  // MSM's `<id>-<node>`: one dash only (a UUID's four dashes are part of its random part).
  const dash = base.indexOf("-");
  if (dash > 0 && dash === base.lastIndexOf("-") && /^-\w{1,16}$/.test(base.slice(dash))) {
    node = base.slice(dash);
    base = base.slice(0, dash);
  }
  const masked =
    base.length >= 20
      ? `${base.slice(0, 6)}${MASK}${base.slice(-4)}`
      : `${base.slice(0, Math.floor(base.length / 4))}${MASK}`;
  return `${masked}${node}${route}`;
}

/** A store key's session id part (after the last `:`) masked; the layout's prefix stays readable. */
export function maskStoreKey(key: string): string {
  const colon = key.lastIndexOf(":");
  return colon < 0 ? maskSessionId(key) : `${key.slice(0, colon + 1)}${maskSessionId(key.slice(colon + 1))}`;
}

const has = (list: readonly string[], key: string) => list.includes(key);
/** Plain objects only: Dates, Maps and class instances pass through untouched. */
const isRecord = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function collectIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectIds(v, into);
    return;
  }
  if (!isRecord(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" && has(SESSION_ID_FIELDS, k)) into.add(v);
    else if (typeof v === "string" && has(STORE_KEY_FIELDS, k)) into.add(v.slice(v.lastIndexOf(":") + 1));
    else if (Array.isArray(v) && has(SESSION_ID_LIST_FIELDS, k))
      for (const id of v) {
        if (typeof id === "string") into.add(id);
      }
    else if (typeof v === "string" && has(JSON_TEXT_FIELDS, k)) collectIds(parseJsonText(v), into);
    else collectIds(v, into);
  }
}

/**
 * The same value with every session id masked and decoded attribute values hidden (see the top of this
 * file for where ids are looked for). Dates and other non-plain objects pass through unchanged.
 */
export function maskSessionIdsDeep<T>(value: T): T {
  const ids = new Set<string>();
  collectIds(value, ids);
  // Longest first, so an id that contains a shorter one is replaced whole; very short "ids" (a stray
  // `key: "a"`) are not worth replacing inside every string.
  const known = [...ids].filter((id) => id.length >= 8).sort((a, b) => b.length - a.length);
  const inText = (s: string) => {
    let out = s;
    for (const id of known) if (out.includes(id)) out = out.split(id).join(maskSessionId(id));
    return out;
  };
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === "string") {
      if (key !== null && has(SESSION_ID_FIELDS, key)) return maskSessionId(v);
      if (key !== null && has(STORE_KEY_FIELDS, key)) return maskStoreKey(v);
      if (key !== null && has(JSON_TEXT_FIELDS, key)) {
        const parsed = parseJsonText(v);
        return parsed === undefined ? inText(v) : JSON.stringify(walk(parsed, null));
      }
      return inText(v);
    }
    if (Array.isArray(v)) {
      if (key !== null && has(SESSION_ID_LIST_FIELDS, key))
        return v.map((x) => (typeof x === "string" ? maskSessionId(x) : walk(x, null)));
      if (key !== null && has(ATTRIBUTE_LIST_FIELDS, key))
        return v.map((a) => (isRecord(a) && "value" in a ? { ...a, value: HIDDEN_ATTRIBUTE_VALUE } : walk(a, null)));
      return v.map((x) => walk(x, null));
    }
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value, null) as T;
}
