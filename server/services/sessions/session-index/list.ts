import type { TDb } from "@/server/db";
import { extractSessionId } from "@/server/domain/session-id";
import { getClusterByName } from "@/server/services/inventory/inventory";
import {
  querySessions,
  rebuildSessionIndex,
  sessionIndexStatus,
} from "@/server/services/sessions/session-index/indexer";
import type { TSessionQueryInput } from "@/server/services/sessions/session-index/query";

/**
 * The session table's query: the search box takes an id, the start of one, or a pasted Cookie header /
 * URL (reduced to its id, so pasting from a browser finds the row).
 */
export async function listIndexedSessions(db: TDb, cluster: string, query: TSessionQueryInput) {
  await getClusterByName(db, cluster); // NOT_FOUND for an unknown cluster, before any scan starts
  const q = (query.q ?? "").trim();
  const pasted = /[=;]/.test(q) || /^cookie:/i.test(q);
  return querySessions(db, cluster, { ...query, q: pasted ? extractSessionId(q).id : q });
}

/** Starts a scan now and returns at once; the table polls the status. */
export async function rescanSessions(db: TDb, cluster: string) {
  await getClusterByName(db, cluster);
  void rebuildSessionIndex(db, cluster).catch(() => undefined);
  return sessionIndexStatus(cluster);
}
