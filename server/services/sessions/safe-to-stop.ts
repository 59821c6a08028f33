import type { z } from "zod";
import type { TDb } from "@/server/db";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TRouteCluster, TRouteVerification } from "@/server/adapters/stores/adapter";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { AppError } from "@/server/errors";
import { processSingleton } from "@/server/process-singleton";
import { sessionScans, type TStoreIndexView } from "@/server/services/sessions/session-index/store-scans";
import { NO_ROUTE_SESSIONS, routeSessions } from "@/server/services/sessions/session-index/route-sessions";
import { storeScanStatus } from "@/server/services/sessions/session-index/scan-status";
import type { ZSafeToStop } from "@/server/services/sessions/sessions-schema";
import { askIndexKeeper, HERE } from "@/server/services/sessions/session-index/index-keeper";

export type TSafeToStop = z.input<typeof ZSafeToStop>;

export interface TSafeToStopOptions {
  /** Only data from scans started at or after this moment (ms) counts: older means "unknown" for now. */
  listedAfter?: number;
  /**
   * Wait for that scan (or the first one) instead of answering "unknown" meanwhile (tests; never a
   * request). Where another instance keeps the index the question goes to it without this: unknown until then.
   */
  waitForScan?: boolean;
}

/** How long one check's answer serves every asker of the same member (the stop dialog, a rollout's wait). */
const FRESH_MS = 2_000;
const recent = processSingleton(
  "safe-to-stop-checks",
  () => new Map<string, { at: number; result: Promise<TSafeToStop> }>(),
);

/**
 * "Is it safe to stop this Tomcat?": every session routed to it must have a current copy elsewhere: in a
 * shared store (memcached MSM, Redis, the database: the store is where the session lives) or as a replica
 * on another Tomcat. The member's sessions come from the session index; each is then checked in its store,
 * pipelined (MSM: its primary, else its bak: pair; Redis: EXISTS; the table: its row; replicas: the other
 * Tomcats' lists). Unknown, never safe, when a store cannot be read or its index is incomplete. Answers
 * are shared for two seconds per member, however many dialogs and rollouts ask. Several instances: the
 * keeper of the cluster's index checks (index-keeper.ts), each instance sharing its answer the same way.
 */
export function checkSafeToStop(
  db: TDb,
  clusterName: string,
  memberName: string,
  opts: TSafeToStopOptions = {},
): Promise<TSafeToStop> {
  return shared(clusterName, memberName, opts, () => checkHereOrAtKeeper(db, clusterName, memberName, opts));
}

/** checkSafeToStop from this instance's own index (the keeper answering another instance), shared the same way. */
export function checkSafeToStopHere(
  db: TDb,
  clusterName: string,
  memberName: string,
  opts: TSafeToStopOptions = {},
): Promise<TSafeToStop> {
  return shared(clusterName, memberName, opts, () => checkHere(db, clusterName, memberName, opts));
}

function shared(
  clusterName: string,
  memberName: string,
  opts: TSafeToStopOptions,
  check: () => Promise<TSafeToStop>,
): Promise<TSafeToStop> {
  const key = `${clusterName}\u0000${memberName}\u0000${opts.listedAfter ?? 0}`;
  const hit = recent.get(key);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.result;
  const entry = { at: Number.POSITIVE_INFINITY, result: check() };
  recent.set(key, entry);
  entry.result.then(
    () => (entry.at = Date.now()),
    () => recent.delete(key),
  );
  return entry.result;
}

async function checkHereOrAtKeeper(
  db: TDb,
  clusterName: string,
  memberName: string,
  opts: TSafeToStopOptions,
): Promise<TSafeToStop> {
  const question = { kind: "safe-to-stop", member: memberName, listedAfter: opts.listedAfter } as const;
  const kept = await askIndexKeeper<TSafeToStop>(db, clusterName, question);
  return kept === HERE ? checkHere(db, clusterName, memberName, opts) : kept;
}

/** The check from this instance's own index (the keeper's side, or the only instance). */
async function checkHere(
  db: TDb,
  clusterName: string,
  memberName: string,
  opts: TSafeToStopOptions,
): Promise<TSafeToStop> {
  const cluster = await getClusterByName(db, clusterName);
  const member = cluster.members.find((m) => m.name === memberName);
  if (!member) throw new AppError("NOT_FOUND", `No member "${memberName}" in cluster "${clusterName}"`);
  const scans = sessionScans();
  await scans.noteViewed(db, clusterName);
  if (opts.waitForScan) await scans.awaitScan(db, clusterName, opts.listedAfter ?? 0);
  const views = await scans.snapshot(db, clusterName);
  const result: TSafeToStop = {
    member: member.name,
    route: member.route,
    total: 0,
    safe: 0,
    unsafe: [],
    perStore: [],
    verdict: "safe",
    summary: "",
    listedAt: null,
    checkedAt: new Date(),
  };
  const listed: number[] = [];
  // Copies on members out of rotation do not count: those Tomcats are down or about to be.
  const leaving = cluster.members.filter((m) => m.name !== member.name && m.intendedState === "stopped");
  const around: TRouteCluster = { leavingRoutes: leaving.map((m) => m.route) };
  await Promise.all(
    views.map(async (v) => {
      const store = {
        store: v.ref.name,
        kind: v.ref.kind,
        total: 0,
        safe: 0,
        gone: 0,
        scannedAt: null as Date | null,
        error: null as string | null,
      };
      result.perStore.push(store);
      try {
        const r = await checkStore(v, member.route, around, opts);
        store.scannedAt = r.listedAt === null ? null : new Date(r.listedAt);
        if (r.listedAt !== null) listed.push(r.listedAt);
        store.total = r.checked - r.gone;
        store.safe = r.safe;
        store.gone = r.gone;
        for (const id of r.unsafe)
          if (result.unsafe.length < 50) result.unsafe.push({ store: v.ref.name, sessionId: id });
      } catch (err) {
        store.error = (err as Error).message;
      }
    }),
  );
  result.perStore.sort((a, b) => (a.store < b.store ? -1 : 1));
  for (const s of result.perStore) {
    result.total += s.total;
    result.safe += s.safe;
  }
  result.listedAt = listed.length ? new Date(Math.min(...listed)) : null;
  result.checkedAt = new Date();
  const unread = result.perStore.filter((s) => s.error);
  result.verdict =
    views.length === 0 || unread.length > 0 ? "unknown" : result.safe === result.total ? "safe" : "unsafe";
  const leavingNote = leaving.length
    ? ` (copies on ${leaving.map((m) => m.name).join(", ")}, out of rotation, do not count)`
    : "";
  const age = result.listedAt ? ` (sessions listed by the scan of ${result.listedAt.toISOString()}, checked now)` : "";
  result.summary =
    views.length === 0
      ? `No session stores are configured for ${clusterName}: whether ${member.name}'s sessions survive is unknown.`
      : unread.length > 0
        ? `Not known whether ${member.name}'s sessions survive: ${unread.map((s) => `${s.store}: ${s.error}`).join("; ")}`
        : result.verdict === "safe"
          ? `All ${result.total} session(s) routed to ${member.name} have a copy in a shared store or on another Tomcat${age}.`
          : `${result.total - result.safe} of ${result.total} session(s) routed to ${member.name} exist only there${leavingNote}: stopping it loses them${age}.`;
  return result;
}

/** One store: the member's sessions from its index (or, for replicas, the Tomcats' own lists), checked. */
async function checkStore(
  v: TStoreIndexView,
  route: string,
  around: TRouteCluster,
  opts: TSafeToStopOptions,
): Promise<TRouteVerification & { listedAt: number | null }> {
  const adapter = getStoreAdapter(v.ref.kind);
  if (!adapter.verifyRoute) throw new AppError("INTERNAL", `${v.ref.kind} stores cannot check a member's sessions`);
  // Replicas in Tomcat memory are checked against the Tomcats' own lists, read now.
  if (!v.indexed || !adapter.verifyRouteFromIndex)
    return { ...(await adapter.verifyRoute(v.ref, route, NO_ROUTE_SESSIONS, around)), listedAt: null };
  const status = storeScanStatus(v);
  if (!v.scanned)
    throw new AppError(
      "CONFLICT",
      v.running
        ? "not scanned yet (its first scan is running)"
        : v.error
          ? `cannot be scanned: ${v.error}`
          : "not scanned yet",
    );
  if (status.incomplete.length > 0)
    throw new AppError("CONFLICT", `its index is incomplete: ${status.incomplete.map((n) => n.reason).join("; ")}`);
  const seg = v.segment;
  if (opts.listedAfter !== undefined && seg.scanStartedAt < opts.listedAfter)
    throw new AppError("CONFLICT", `waiting for a scan newer than ${new Date(opts.listedAfter).toISOString()}`);
  return {
    ...(await adapter.verifyRoute(v.ref, route, routeSessions(seg, route), around)),
    listedAt: seg.scanStartedAt,
  };
}
