/**
 * Two rules, one place, for every answer and every audit entry:
 *
 * 1. Credentials never leave the database row they belong to (redactSecrets): not in an answer, not in
 *    the audit log, for no role. A field named like a credential (SECRET_FIELD) becomes REDACTED, and a
 *    password inside a URL (`http://user:pw@host`) is cut out. Forms learn only `hasPassword`.
 * 2. Viewers read the console, not its settings' secrets (redactForViewer): a URL's query string and user
 *    part (webhook tokens live there), the arguments of a command (COMMAND_FIELDS: `testCommand`,
 *    `reloadCommand`, a deploy `command`) and a deploy's output (VIEWER_HIDDEN_FIELDS) are hidden.
 *    Operators and admins see them. Session ids have their own rule (session-ids.ts).
 */
export const REDACTED = "[redacted]";
export const HIDDEN_FROM_VIEWERS = "[hidden: needs the operator role]";

export const SECRET_FIELD =
  /^(password|passwd|passphrase|secret|token|apiKey|api_key|authorization|cookie|csrfToken|passwordHash|tokenHash|clientSecret)$/i;
export const COMMAND_FIELDS = ["testCommand", "reloadCommand", "command"] as const;
export const VIEWER_HIDDEN_FIELDS = ["output"] as const;

const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/g;

/** Plain objects only: Dates and class instances pass through untouched. */
function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `http://user:secret@host/x` → `http://user:[redacted]@host/x`, inside any text. */
export function stripUrlPasswords(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => url.replace(/^(https?:\/\/[^/:@\s]*):[^/@\s]*@/, `$1:${REDACTED}@`));
}

/** Rule 1: the value with every credential replaced (see above). Use before writing or answering. */
export function redactSecrets<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return stripUrlPasswords(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isRecord(v))
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          SECRET_FIELD.test(k) && x !== null && x !== undefined && x !== "" ? REDACTED : walk(x),
        ]),
      );
    return v;
  };
  return walk(value) as T;
}

/** `https://ci/hook?token=abc` → `https://ci/hook?[redacted]`, user part dropped, inside any text. */
export function hideUrlSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, (url) =>
    url.replace(/^(https?:\/\/)[^/@\s]*@/, "$1").replace(/\?.*$/, `?${REDACTED}`),
  );
}

function hideCommand(v: unknown): unknown {
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === "string")
    return v.length > 1 ? [v[0], `[${v.length - 1} argument(s) hidden]`] : v;
  if (typeof v === "string") {
    const word = v.trim().split(/\s+/, 1)[0] ?? "";
    return word === v.trim() ? v : `${word} [arguments hidden]`;
  }
  return v;
}

/** Rule 2: what a viewer may see of a value that holds settings, audit details or deploy output. */
export function redactForViewer<T>(value: T): T {
  const walk = (v: unknown, key: string | null): unknown => {
    if (key !== null && (COMMAND_FIELDS as readonly string[]).includes(key)) return hideCommand(v);
    if (key !== null && (VIEWER_HIDDEN_FIELDS as readonly string[]).includes(key))
      return v === null || v === undefined || v === "" ? v : HIDDEN_FROM_VIEWERS;
    if (typeof v === "string") return hideUrlSecrets(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(redactSecrets(value), null) as T;
}
