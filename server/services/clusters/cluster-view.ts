import type { TDb } from "@/server/db";
import { getFrontendAdapter } from "@/server/adapters/registry";
import { getFrontendLive, liveMemberIndex, type TFrontendLive, type TLiveMember } from "@/server/poller/live-state";
import type { TObservedMember } from "@/server/adapters/frontends/types";
import { createMemberMatcher } from "@/server/services/members/member-identity";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { ADMIN_STATES, type TAdminState, type THealth } from "@/server/domain/member-state";
import { observedMatchesIntended } from "@/server/domain/drift";
import type { TMemberSettingsCapability, TObservedSettings } from "@/server/domain/member-settings";
import type { TBalancerSettingSpec } from "@/server/domain/balancer-settings";

export type TRollupHealth = "healthy" | "degraded" | "failing" | "unknown" | "empty";

export interface TMemberOnFrontend {
  frontendId: number;
  key: string;
  adminState: TAdminState;
  health: THealth;
  busy: number;
  elected: number;
  errors: number | null;
  loadfactor: number;
  lbset: number;
  requestsPerSec: number | null;
  bytesPerSec: number | null;
  errorsPerSec: number | null;
  /** The frontend did not answer its last poll: this is the last good reading. */
  stale: boolean;
  /** Observed admin state or weight differs from what ClusterDeck was told for the member. */
  drifted: boolean;
  /** httpd's hot spare (Spar): adminState is standby, this names which kind (types.ts TObservedMember). */
  hotSpare?: boolean;
  settings?: TObservedSettings;
}

export interface TMemberRow {
  /** Stable identity of the row: "id:<member id>" for inventory members, "route:<route or key>" otherwise. */
  key: string;
  memberId: number | null;
  name: string;
  route: string;
  host: string | null;
  /** What ClusterDeck was last told (inventory members only). */
  intendedState: TAdminState | null;
  intendedWeight: number | null;
  /** Some answering frontend has drifted from the intended state or weight. */
  drift: boolean;
  /** One entry per frontend of the cluster, in frontend order; null when that frontend does not list the member. */
  states: Array<TMemberOnFrontend | null>;
  /** Frontends that answer disagree on admin state or health, or one of them does not list the member. */
  disagreement: boolean;
  health: TRollupHealth;
}

export interface TFrontendRow {
  id: number;
  name: string;
  kind: string;
  kindLabel: string;
  url: string;
  balancer: string;
  pollIntervalMs: number;
  enabled: boolean;
  up: boolean | null;
  error: string | null;
  errorCode: string | null;
  lastPollAt: Date | null;
  lastGoodAt: Date | null;
  durationMs: number | null;
  adminStates: readonly TAdminState[];
  /** The kind's own words on states it does not offer or offers with limits (capabilities.notes). */
  notes: Partial<Record<TAdminState, string>>;
  memberSettings?: TMemberSettingsCapability;
  settingsNote?: string | null;
  balancerSettings?: Readonly<Record<string, TBalancerSettingSpec>>;
  /** Only the fields of balancerSettings: balancerRaw also holds httpd's nonce, which has no business on the wire. */
  balancerValues?: Record<string, string>;
}

export interface TClusterView {
  cluster: { id: number; name: string; description: string; autoReapply: boolean };
  frontends: TFrontendRow[];
  members: TMemberRow[];
  health: TRollupHealth;
}

export type TClusterInventory = Awaited<ReturnType<typeof getClusterByName>>;
export type TLiveLookup = (frontendId: number) => TFrontendLive | undefined;

/**
 * The view of one cluster from its inventory and the live readings, without the database: metrics and
 * alerts build it from the inventory they keep in memory (InventoryCache).
 */
export function buildClusterView(cluster: TClusterInventory, liveOf: TLiveLookup): TClusterView {
  return new ClusterViewModel(cluster, liveOf).view();
}

export async function getClusterView(db: TDb, name: string): Promise<TClusterView> {
  return new ClusterViewModel(await getClusterByName(db, name), getFrontendLive).view();
}

function pickBalancerValues(
  settings: Readonly<Record<string, TBalancerSettingSpec>> | undefined,
  raw: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of Object.keys(settings ?? {})) {
    const value = raw?.[name];
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** Row identity on the wire: an inventory member by id, one a frontend routes to but the inventory lacks by route/key. */
function rowKeyOf(inventoryId: number | null, om: TObservedMember): string {
  return inventoryId !== null ? `id:${inventoryId}` : `route:${om.route || om.key}`;
}

export type TFrontendPoll = Pick<TFrontendRow, "id" | "lastPollAt" | "lastGoodAt" | "durationMs">;

/** Whether two rows of one frontend differ in more than the time of the poll. */
function sameBesidesPollTime(a: TFrontendRow, b: TFrontendRow): boolean {
  const strip = ({ lastPollAt: _a, lastGoodAt: _b, durationMs: _c, ...rest }: TFrontendRow) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** What changed in a cluster view after one poll (or an inventory change): a few rows, not the whole view. */
export interface TClusterViewDelta {
  /** Frontends whose row changed beyond the time of their last poll. */
  frontends: TFrontendRow[];
  /** Frontends polled with nothing else changed: only when, and how long it took. */
  polls: TFrontendPoll[];
  members: TMemberRow[];
  /** Keys of rows no frontend lists any more (members not in the inventory). */
  removed: string[];
  health: TRollupHealth;
  cluster: TClusterView["cluster"] | null;
}

/**
 * The cluster view kept in step with the live table. A full build is O(members × frontends) with
 * indexed matching; after a poll only the rows of the members whose state changed on that frontend
 * are rebuilt (`applyPoll`), so an unchanged member costs nothing after the parse. Metrics (rates,
 * busy, counters) are read fresh on demand and are not part of what makes a row "changed".
 */
export class ClusterViewModel {
  private frontends: TFrontendRow[] = [];
  private rows = new Map<string, TMemberRow>();
  private signatures = new Map<string, string>();
  /** Per frontend index: observed member key → row key, and back. */
  private keyToRow: Array<Map<string, string>> = [];
  private rowToKey: Array<Map<string, string>> = [];
  private match!: (om: TObservedMember) => TInventoryRow | undefined;

  constructor(
    private inventory: TClusterInventory,
    private readonly liveOf: TLiveLookup,
  ) {
    this.rebuild();
  }

  get clusterId(): number {
    return this.inventory.id;
  }

  frontendIds(): number[] {
    return this.frontends.map((f) => f.id);
  }

  /** The whole view with fresh metrics (a snapshot for a new subscriber, cluster.get, the CLI). */
  view(): TClusterView {
    const members = [...this.rows.values()].map((row) => this.refreshMetrics(row));
    return {
      cluster: this.clusterHeader(),
      frontends: this.frontends.map((f) => ({ ...f })),
      members,
      health: rollupCluster(members, this.frontends),
    };
  }

  /** After an inventory or intent change: everything is rebuilt, only rows that differ are returned. */
  replaceInventory(inventory: TClusterInventory): TClusterViewDelta {
    const before = this.clusterHeader();
    this.inventory = inventory;
    const previous = new Map(this.signatures);
    const previousKeys = new Set(this.rows.keys());
    const frontendsBefore = JSON.stringify(this.frontends);
    this.rebuild();
    const changed = [...this.rows.values()].filter((r) => previous.get(r.key) !== this.signatures.get(r.key));
    const header = this.clusterHeader();
    return {
      frontends: JSON.stringify(this.frontends) === frontendsBefore ? [] : this.frontends,
      polls: [],
      members: changed.map((r) => this.refreshMetrics(r)),
      removed: [...previousKeys].filter((k) => !this.rows.has(k)),
      health: rollupCluster([...this.rows.values()], this.frontends),
      cluster: JSON.stringify(header) === JSON.stringify(before) ? null : header,
    };
  }

  /**
   * One frontend was polled. `changedKeys` are the members whose state differs from the previous
   * poll there (added and removed ones included); null means "anything may have changed" (first
   * poll, the frontend stopped or started answering), which rebuilds every row.
   */
  applyPoll(frontendId: number, changedKeys: readonly string[] | null): TClusterViewDelta {
    const index = this.frontends.findIndex((f) => f.id === frontendId);
    if (index < 0) return this.emptyDelta();
    const before = this.frontends[index]!;
    const after = this.frontendRow(this.inventory.frontends[index]!);
    this.frontends[index] = after;
    const { id, lastPollAt, lastGoodAt, durationMs } = after;
    const polled = sameBesidesPollTime(before, after)
      ? { frontends: [], polls: [{ id, lastPollAt, lastGoodAt, durationMs }] }
      : { frontends: [after], polls: [] };
    if (changedKeys === null) return { ...this.replaceInventory(this.inventory), ...polled };
    const affected = new Set<string>();
    for (const key of changedKeys) {
      const oldRow = this.keyToRow[index]!.get(key);
      if (oldRow !== undefined) {
        affected.add(oldRow);
        this.keyToRow[index]!.delete(key);
        this.rowToKey[index]!.delete(oldRow);
      }
      const om = this.observed(index, key);
      if (om) affected.add(this.place(index, om));
    }
    const members: TMemberRow[] = [];
    const removed: string[] = [];
    for (const key of affected) {
      const row = this.rows.get(key);
      if (!row) continue;
      row.states = this.frontends.map((_, i) => this.cell(i, this.observedFor(i, key)));
      if (row.memberId === null && row.states.every((s) => s === null)) {
        this.rows.delete(key);
        this.signatures.delete(key);
        removed.push(key);
        continue;
      }
      this.rollUpRow(row);
      const signature = rowSignature(row);
      if (signature !== this.signatures.get(key)) {
        this.signatures.set(key, signature);
        members.push(row);
      }
    }
    return {
      ...polled,
      members,
      removed,
      health: rollupCluster([...this.rows.values()], this.frontends),
      cluster: null,
    };
  }

  /** Per row, per frontend: [requests/s, busy, errors/s] now, for the periodic metrics push. */
  metrics(): Record<string, Array<[number | null, number, number | null] | null>> {
    const out: Record<string, Array<[number | null, number, number | null] | null>> = {};
    for (const key of this.rows.keys()) {
      out[key] = this.frontends.map((_, i) => {
        const om = this.observedFor(i, key);
        return om ? [round(om.rates?.requestsPerSec), om.busy, round(om.rates?.errorsPerSec)] : null;
      });
    }
    return out;
  }

  /** The member as the frontend's latest poll shows it (the live table, not a copy kept here). */
  private observed(index: number, memberKey: string): TLiveMember | undefined {
    const live = this.liveOf(this.frontends[index]!.id);
    return live ? liveMemberIndex(live).get(memberKey) : undefined;
  }

  private observedFor(index: number, rowKey: string): TLiveMember | undefined {
    const memberKey = this.rowToKey[index]!.get(rowKey);
    return memberKey === undefined ? undefined : this.observed(index, memberKey);
  }

  private emptyDelta(): TClusterViewDelta {
    return {
      frontends: [],
      polls: [],
      members: [],
      removed: [],
      health: rollupCluster([...this.rows.values()], this.frontends),
      cluster: null,
    };
  }

  private clusterHeader(): TClusterView["cluster"] {
    const c = this.inventory;
    return { id: c.id, name: c.name, description: c.description, autoReapply: c.autoReapply };
  }

  private frontendRow(f: TClusterInventory["frontends"][number]): TFrontendRow {
    const live = this.liveOf(f.id);
    const adapter = getFrontendAdapter(f.kind);
    return {
      id: f.id,
      name: f.name,
      kind: f.kind,
      kindLabel: adapter.label,
      url: f.url,
      balancer: f.balancer,
      pollIntervalMs: f.pollIntervalMs,
      enabled: f.enabled,
      up: live ? live.up : null,
      error: live?.error ?? null,
      errorCode: live?.errorCode ?? null,
      lastPollAt: live?.lastPollAt ?? null,
      lastGoodAt: live?.lastGoodAt ?? null,
      durationMs: live?.durationMs ?? null,
      adminStates: adapter.capabilities.adminStates,
      notes: adapter.capabilities.notes ?? {},
      memberSettings: adapter.capabilities.memberSettings ?? {},
      settingsNote: adapter.capabilities.settingsNote ?? null,
      balancerSettings: adapter.capabilities.balancerSettings ?? {},
      balancerValues: pickBalancerValues(adapter.capabilities.balancerSettings, live?.balancerRaw),
    };
  }

  private rebuild(): void {
    const inv = this.inventory;
    this.frontends = inv.frontends.map((f) => this.frontendRow(f));
    this.match = createMemberMatcher(inv.members);
    this.rows = new Map();
    this.signatures = new Map();
    this.keyToRow = inv.frontends.map(() => new Map());
    this.rowToKey = inv.frontends.map(() => new Map());
    for (const m of inv.members) {
      const intendedState = (ADMIN_STATES as readonly string[]).includes(m.intendedState)
        ? (m.intendedState as TAdminState)
        : null;
      this.rows.set(`id:${m.id}`, {
        key: `id:${m.id}`,
        memberId: m.id,
        name: m.name,
        route: m.route,
        host: m.host,
        intendedState,
        intendedWeight: m.intendedWeight,
        drift: false,
        states: [],
        disagreement: false,
        health: "unknown",
      });
    }
    inv.frontends.forEach((f, index) => {
      for (const om of this.liveOf(f.id)?.members ?? []) this.place(index, om);
    });
    for (const row of this.rows.values()) {
      row.states = this.frontends.map((_, i) => this.cell(i, this.observedFor(i, row.key)));
      this.rollUpRow(row);
      this.signatures.set(row.key, rowSignature(row));
    }
  }

  /** Files one observed member under its row (creating the row of a member the inventory lacks). */
  private place(index: number, om: TLiveMember): string {
    const inv = this.match(om);
    const key = rowKeyOf(inv?.id ?? null, om);
    if (!this.rows.has(key)) {
      // A member a frontend routes to but the inventory does not know is still shown: it takes traffic.
      this.rows.set(key, {
        key,
        memberId: null,
        name: om.route || om.key,
        route: om.route,
        host: om.host,
        intendedState: null,
        intendedWeight: null,
        drift: false,
        states: [],
        disagreement: false,
        health: "unknown",
      });
    }
    this.keyToRow[index]!.set(om.key, key);
    this.rowToKey[index]!.set(key, om.key);
    return key;
  }

  private cell(index: number, om: TLiveMember | undefined): TMemberOnFrontend | null {
    if (!om) return null;
    const f = this.frontends[index]!;
    const live = this.liveOf(f.id);
    const stale = live?.stale ?? true;
    const row = this.rows.get(this.keyToRow[index]!.get(om.key) ?? "");
    return {
      frontendId: f.id,
      key: om.key,
      adminState: om.adminState,
      health: stale ? "unknown" : om.health,
      busy: om.busy,
      elected: om.elected,
      errors: om.errors,
      loadfactor: om.loadfactor,
      lbset: om.lbset,
      requestsPerSec: round(om.rates?.requestsPerSec),
      bytesPerSec: round(om.rates?.bytesPerSec),
      errorsPerSec: round(om.rates?.errorsPerSec),
      stale,
      drifted:
        !stale &&
        isDrifted(f.kind, row?.intendedState ?? null, row?.intendedWeight ?? null, om.adminState, om.loadfactor),
      // Both only when there is something to say: a flip's delta carries every frontend's cell of the
      // row, and "hotSpare": false and empty settings on each were a tenth of it.
      ...(om.hotSpare === true ? { hotSpare: true } : {}),
      ...(om.settings && Object.keys(om.settings).length > 0 ? { settings: om.settings } : {}),
    };
  }

  private rollUpRow(row: TMemberRow): void {
    row.drift = row.states.some((s) => s?.drifted === true);
    row.disagreement = hasDisagreement(row, this.frontends);
    row.health = rollupMember(row);
  }

  /** The row with each frontend's current counters and rates (its state fields are already current). */
  private refreshMetrics(row: TMemberRow): TMemberRow {
    return {
      ...row,
      states: row.states.map((s, i) => {
        const om = s ? this.observedFor(i, row.key) : undefined;
        if (!s || !om) return s;
        return {
          ...s,
          busy: om.busy,
          elected: om.elected,
          errors: om.errors,
          requestsPerSec: round(om.rates?.requestsPerSec),
          bytesPerSec: round(om.rates?.bytesPerSec),
          errorsPerSec: round(om.rates?.errorsPerSec),
        };
      }),
    };
  }
}

type TInventoryRow = TClusterInventory["members"][number];

/** The fields whose change is pushed at once; counters and rates go in the periodic metrics push. */
function rowSignature(row: TMemberRow): string {
  const states = row.states.map((s) =>
    s
      ? [
          s.key,
          s.adminState,
          s.health,
          s.loadfactor,
          s.lbset,
          s.stale,
          s.drifted,
          s.hotSpare,
          JSON.stringify(s.settings),
        ].join("\u0001")
      : "-",
  );
  return [
    row.name,
    row.route,
    row.host,
    row.intendedState,
    row.intendedWeight,
    row.drift,
    row.disagreement,
    row.health,
    ...states,
  ].join("\u0002");
}

/** Rates to the hundredth: what the page shows, and a third of the bytes of a full double. */
function round(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : Math.round(v * 100) / 100;
}

/** Drift: the frontend does not show what ClusterDeck was told (the rule: server/domain/drift.ts). */
export function isDrifted(
  kind: string,
  intendedState: TAdminState | null,
  intendedWeight: number | null,
  observedState: TAdminState,
  observedWeight: number,
): boolean {
  const adapter = getFrontendAdapter(kind);
  return !observedMatchesIntended(
    { state: intendedState, weight: intendedWeight },
    { adminState: observedState, loadfactor: observedWeight },
    (s) => adapter.observedStateFor(s),
  );
}

function hasDisagreement(row: TMemberRow, frontends: TFrontendRow[]): boolean {
  const answering = row.states.filter((s, i) => frontends[i]?.up === true && frontends[i]?.enabled);
  const fresh = answering.filter((s): s is TMemberOnFrontend => s !== null && !s.stale);
  if (fresh.length < answering.length) return true; // an answering frontend does not list this member
  const admin = new Set(fresh.map((s) => s.adminState));
  const health = new Set(fresh.map((s) => s.health));
  return admin.size > 1 || health.size > 1;
}

function rollupMember(row: TMemberRow): TRollupHealth {
  const fresh = row.states.filter((s): s is TMemberOnFrontend => s !== null && !s.stale);
  if (fresh.length === 0) return "unknown";
  const failing = fresh.filter((s) => s.health === "failing").length;
  if (failing === fresh.length) return "failing";
  if (failing > 0 || fresh.some((s) => s.health !== "healthy")) return "degraded";
  return "healthy";
}

function rollupCluster(members: TMemberRow[], frontends: TFrontendRow[]): TRollupHealth {
  if (members.length === 0 && frontends.length === 0) return "empty";
  if (frontends.some((f) => f.enabled && f.up === false)) return "degraded";
  if (members.length === 0) return "unknown";
  if (members.every((m) => m.health === "failing")) return "failing";
  if (members.some((m) => m.health !== "healthy")) return "degraded";
  return "healthy";
}

export interface TClusterSummary {
  id: number;
  name: string;
  description: string;
  health: TRollupHealth;
  members: number;
  healthyMembers: number;
  frontends: number;
  frontendsUp: number;
  disagreements: number;
  drifted: number;
}

export async function getOverview(db: TDb): Promise<TClusterSummary[]> {
  const clusters = await db.cluster.findMany({ orderBy: { name: "asc" }, select: { name: true } });
  const views = await Promise.all(clusters.map((c) => getClusterView(db, c.name)));
  return views.map((v) => ({
    id: v.cluster.id,
    name: v.cluster.name,
    description: v.cluster.description,
    health: v.health,
    members: v.members.length,
    healthyMembers: v.members.filter((m) => m.health === "healthy").length,
    frontends: v.frontends.length,
    frontendsUp: v.frontends.filter((f) => f.up === true).length,
    disagreements: v.members.filter((m) => m.disagreement).length,
    drifted: v.members.filter((m) => m.drift).length,
  }));
}
