/**
 * Audit rows as consoles wrote them before migration 0008 (frontend.create/update kept the whole frontend
 * row, its password included), and what the migration must turn them into: for the SQLite and the
 * PostgreSQL migration tests.
 */
export const OLD_PASSWORD = "old-frontend-pw-7Qz";

export const ROWS_BEFORE = [
  {
    action: "frontend.update",
    after: JSON.stringify({
      id: 3,
      name: "jk",
      url: "http://10.0.0.5/jkstatus",
      password: OLD_PASSWORD,
      username: "u",
    }),
    before: JSON.stringify({ id: 3, name: "jk", password: OLD_PASSWORD }),
    details: JSON.stringify({ id: 3 }),
  },
  // Nothing to clean: no password, an empty one, a null one, a non-object value, and text that is not JSON.
  {
    action: "frontend.create",
    after: JSON.stringify({ id: 4, name: "b", password: null }),
    before: null,
    details: null,
  },
  { action: "frontend.create", after: JSON.stringify({ id: 5, name: "c", password: "" }), before: null, details: null },
  { action: "member.drain", after: JSON.stringify({ state: "draining" }), before: '"active"', details: "[1,2]" },
  { action: "legacy", after: "not json", before: null, details: null },
  { action: "legacy", after: '{"password" is not json}', before: null, details: null },
];

/** The same rows after the migration: only the first one's passwords change. */
export const ROWS_AFTER = ROWS_BEFORE.map((r, i) =>
  i === 0
    ? {
        action: r.action,
        after: { id: 3, name: "jk", url: "http://10.0.0.5/jkstatus", password: "[redacted]", username: "u" },
        before: { id: 3, name: "jk", password: "[redacted]" },
        details: { id: 3 },
      }
    : {
        action: r.action,
        after: parseOrText(r.after),
        before: parseOrText(r.before),
        details: parseOrText(r.details),
      },
);

function parseOrText(s: string | null): unknown {
  if (s === null) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}

/** Rows read back with their JSON parsed (key order does not matter: PostgreSQL's jsonb reorders). */
export function readable(
  rows: Array<{ action: string; after: string | null; before: string | null; details: string | null }>,
) {
  return rows.map((r) => ({
    action: r.action,
    after: parseOrText(r.after),
    before: parseOrText(r.before),
    details: parseOrText(r.details),
  }));
}
