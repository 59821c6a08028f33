import type { TStoredKey } from "@/server/adapters/stores/types";

/** One row as the adapter's queries return it (sql.ts `rowColumns`), before interpretation. */
export interface TJdbcRawRow {
  id: string;
  /** DataSourceStore writes "1"/"0" (setString); a boolean or integer column reads back as such. */
  valid: string | boolean | number | null;
  max_inactive: number | string | null;
  /** Epoch ms; `pg` returns bigint columns as strings. */
  last_access: number | string | null;
  size: number | string | null;
}

/** A row as a stored key, plus what decides whether it is a live session. */
export interface TJdbcRow extends TStoredKey {
  valid: boolean;
  /** Past `last_access + max_inactive` but not yet deleted by Tomcat's background sweep. */
  expired: boolean;
}

function isValidFlag(v: TJdbcRawRow["valid"]): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1;
  return typeof v === "string" && v.trim() === "1";
}

/**
 * Interprets one row with DataSourceStore's own rule for expired rows (`expiredKeys`: `maxinactive > 0
 * AND lastaccess + maxinactive * 1000 < now`). Such rows stay until a Tomcat's background sweep
 * (`StoreBase.processExpires`, about once a minute per node) deletes them; they are not live sessions.
 */
export function interpretRow(node: string, raw: TJdbcRawRow, nowMs: number): TJdbcRow {
  const maxInactive = Number(raw.max_inactive ?? 0);
  const lastAccessMs = Number(raw.last_access ?? 0);
  const expiresAtMs = lastAccessMs + maxInactive * 1000;
  const expires = maxInactive > 0;
  return {
    node,
    key: raw.id,
    size: Number(raw.size ?? 0),
    ttlSeconds: expires ? Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000)) : null,
    lastAccess: lastAccessMs > 0 ? Math.floor(lastAccessMs / 1000) : null,
    valid: isValidFlag(raw.valid),
    expired: expires && expiresAtMs < nowMs,
  };
}

/** A live session: marked valid and not past its inactivity limit. */
export function isLiveRow(row: TJdbcRow): boolean {
  return row.valid && !row.expired;
}
