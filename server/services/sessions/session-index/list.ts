import type { TDb } from "@/server/db";
import { extractSessionId } from "@/server/domain/session-id";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { querySessionIndex, type TSessionQueryInput } from "@/server/services/sessions/session-index/query";
import { clusterIndexStatus } from "@/server/services/sessions/session-index/scan-status";
import { NO_ROUTE } from "@/server/services/sessions/session-index/segment";
import { askIndexKeeper, HERE } from "@/server/services/sessions/session-index/index-keeper";

/**
 * The session table's query, from the stores' indexes (never a scan of its own: looking keeps the
 * cluster's stores scanned for a while). The search box takes an id, the start of one, or a pasted Cookie
 * header / URL (reduced to its id, so pasting from a browser finds the row). NOT_FOUND for an unknown
 * cluster. Several instances: the keeper of the cluster's index answers (index-keeper.ts).
 */
export async function listIndexedSessions(db: TDb, cluster: string, query: TSessionQueryInput) {
  const kept = await askIndexKeeper<TIndexedSessions>(db, cluster, { kind: "list", query });
  return kept === HERE ? listIndexedSessionsHere(db, cluster, query) : kept;
}

export type TIndexedSessions = Awaited<ReturnType<typeof listIndexedSessionsHere>>;

/** listIndexedSessions from this instance's own index (the keeper's side). */
export async function listIndexedSessionsHere(db: TDb, cluster: string, query: TSessionQueryInput) {
  const scans = sessionScans();
  await scans.noteViewed(db, cluster);
  const views = await scans.snapshot(db, cluster);
  const q = (query.q ?? "").trim();
  const pasted = /[=;]/.test(q) || /^cookie:/i.test(q);
  const segments = views.filter((v) => v.indexed).map((v) => v.segment);
  const page = querySessionIndex(segments, { ...query, q: pasted ? extractSessionId(q).id : q });
  const nodes = new Set<string>();
  const routes = new Set<string>();
  for (const s of segments) {
    s.nodes.forEach((n, i) => s.counts.perNode[i] && nodes.add(n));
    s.routes.forEach((r, i) => s.counts.perRoute[i] && routes.add(r));
  }
  return {
    ...page,
    status: clusterIndexStatus(views),
    facets: {
      stores: views.filter((v) => v.indexed).map((v) => v.ref.name),
      nodes: [...nodes].sort(),
      routes: [...routes].sort((a, b) => (a === NO_ROUTE ? 1 : b === NO_ROUTE ? -1 : a < b ? -1 : 1)),
    },
  };
}

/** Starts a fresh scan of the cluster's stores (after the one running, if any) and returns at once; the table polls. */
export async function rescanSessions(db: TDb, cluster: string) {
  const kept = await askIndexKeeper<TIndexStatus>(db, cluster, { kind: "rescan" });
  return kept === HERE ? rescanSessionsHere(db, cluster) : kept;
}

type TIndexStatus = ReturnType<typeof clusterIndexStatus>;

/** rescanSessions on this instance's own scans (the keeper's side). */
export async function rescanSessionsHere(db: TDb, cluster: string): Promise<TIndexStatus> {
  const scans = sessionScans();
  await scans.noteViewed(db, cluster);
  await scans.requestScan(db, cluster);
  return clusterIndexStatus(await scans.snapshot(db, cluster));
}
