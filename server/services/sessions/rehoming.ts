import type { TDb } from "@/server/db";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { storeScanStatus } from "@/server/services/sessions/session-index/scan-status";
import { NO_TIME } from "@/server/services/sessions/session-index/segment";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { AppError } from "@/server/errors";
import { asAdminState, type TAdminState } from "@/server/domain/member-state";
import { rememberRouted, renamesIn } from "@/server/services/sessions/rehoming-baseline";
import { askIndexKeeper, HERE, tellIndexKeeper } from "@/server/services/sessions/session-index/index-keeper";

const MAX_LISTED = 50;

export interface TRehomingStore {
  store: string;
  kind: string;
  /** When the index these figures come from was scanned. */
  scannedAt: Date | null;
  /** Sessions whose id still names the member's route. */
  routed: number;
  /** Of those, accessed since the member was taken out: their users came back and another member served them. Null when the store does not report last access. */
  cameBack: number | null;
  /** Ids not seen since (first 50): users who have not come back yet, or sessions the member still holds alone. */
  waiting: string[];
  /**
   * The member's sessions that came back under another member's route (renamed on failover by
   * JvmRouteBinderValve or sticky MSM: same base id). Null when the index was rescanned after the member
   * left before anything remembered its sessions.
   */
  renamed: number | null;
  /** Their new ids (first 50). */
  renamedIds: string[];
  error: string | null;
}

export interface TRehoming {
  member: string;
  route: string;
  intendedState: TAdminState;
  /** When the member was last set to its current state: the moment "coming back" is counted from. */
  since: Date | null;
  stores: TRehomingStore[];
  /** The oldest store index read (null: none scanned yet). */
  scannedAt: Date | null;
}

/**
 * "Where did tomcat2's users go?" after a stop or disable: every session whose id routes to the member,
 * and how many of them were used since it left the rotation — by definition on another member, which
 * loaded them from a shared store or a replica. When a session manager renames ids on failover (MSM
 * sticky, JvmRouteBinderValve), the routed count itself falls as users come back, and the renamed
 * sessions are found by their base id among what the member held when it left (rehoming-baseline.ts). Read from the stores'
 * indexes (watching keeps them rescanned); each store says how old its figures are.
 */
export async function rehomingStatus(db: TDb, clusterName: string, memberName: string): Promise<TRehoming> {
  const kept = await askIndexKeeper<TRehoming>(db, clusterName, { kind: "rehoming", member: memberName });
  return kept === HERE ? rehomingStatusHere(db, clusterName, memberName) : kept;
}

/** rehomingStatus from this instance's own index (the keeper's side, or the only instance). */
export async function rehomingStatusHere(db: TDb, clusterName: string, memberName: string): Promise<TRehoming> {
  const cluster = await getClusterByName(db, clusterName);
  const member = cluster.members.find((m) => m.name === memberName);
  if (!member) throw new AppError("NOT_FOUND", `No member "${memberName}" in cluster "${clusterName}"`);
  const since = member.intendedState === "active" ? null : member.intendedAt;
  const sinceS = since ? Math.floor(since.getTime() / 1000) : null;
  const scans = sessionScans();
  await scans.noteViewed(db, clusterName);
  const stores: TRehomingStore[] = [];
  const scannedAt: number[] = [];
  const views = await scans.snapshot(db, clusterName);
  if (since) rememberRouted(clusterName, member.route, since, views);
  for (const v of views) {
    const s: TRehomingStore = {
      store: v.ref.name,
      kind: v.ref.kind,
      scannedAt: v.scanned ? new Date(v.segment.scanStartedAt) : null,
      routed: 0,
      cameBack: null,
      waiting: [],
      renamed: null,
      renamedIds: [],
      error: null,
    };
    stores.push(s);
    const status = storeScanStatus(v);
    if (!v.indexed) {
      s.error = `${v.ref.kind} stores cannot list their sessions`;
      continue;
    }
    if (!v.scanned) {
      s.error = v.running ? "scanning the store for the first time…" : (v.error ?? "not scanned yet");
      continue;
    }
    if (status.incomplete.length > 0) s.error = `incomplete: ${status.incomplete.map((n) => n.reason).join("; ")}`;
    scannedAt.push(v.segment.scanStartedAt);
    const seg = v.segment;
    const r = seg.routes.indexOf(member.route);
    let cameBack = 0;
    let knowsAccess = sinceS !== null;
    if (r >= 0)
      for (let i = 0; i < seg.ids.length; i++) {
        if (seg.route[i] !== r) continue;
        s.routed++;
        const la = seg.lastAccess[i]!;
        if (la === NO_TIME || sinceS === null) knowsAccess = false;
        else if (la >= sinceS) {
          cameBack++;
          continue;
        }
        if (s.waiting.length < MAX_LISTED) s.waiting.push(seg.ids.get(i));
      }
    s.cameBack = knowsAccess ? cameBack : null;
    const renames = since ? renamesIn(clusterName, member.route, since, v) : null;
    s.renamed = renames?.count ?? null;
    s.renamedIds = renames?.ids ?? [];
  }
  return {
    member: member.name,
    route: member.route,
    intendedState: asAdminState(member.intendedState),
    since,
    stores,
    scannedAt: scannedAt.length ? new Date(Math.min(...scannedAt)) : null,
  };
}

/**
 * Called when a member leaves the rotation (its member action): remembers its sessions from the indexes
 * as they are now, before a rescan shows them renamed. Best effort: without it the view remembers them
 * when first asked, if the indexes are still older than the change.
 */
export async function rememberLeavingMember(db: TDb, clusterName: string, route: string, since: Date): Promise<void> {
  const question = { kind: "remember-leaving", route, since: since.getTime() } as const;
  // Told, not waited for: a member action must not hang on another instance.
  if ((await tellIndexKeeper(db, clusterName, question)) === HERE)
    await rememberLeavingMemberHere(db, clusterName, route, since);
}

/** rememberLeavingMember in this instance's own baseline (the keeper's side, or the only instance). */
export async function rememberLeavingMemberHere(db: TDb, clusterName: string, route: string, since: Date) {
  rememberRouted(clusterName, route, since, await sessionScans().snapshot(db, clusterName));
}
