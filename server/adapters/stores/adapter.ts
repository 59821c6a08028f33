import type { TStoreNode } from "@/server/adapters/stores/types";
import type { TIdList, TScanBatch } from "@/server/adapters/stores/scan-batch";
import type { TStoreNodeReading } from "@/server/adapters/stores/node-reading";
import type {
  TExpireOutcome,
  TNodeCopier,
  TNodeEvacuator,
  TServerAddress,
} from "@/server/adapters/stores/store-operations";

/** One configured session store, as the adapters need it (options already validated for the kind). */
export interface TStoreConfig {
  name: string;
  kind: string;
  nodes: TStoreNode[];
  options: Record<string, unknown>;
}

/**
 * What a kind can do (docs/conventions.md §5): the UI offers a button and a service calls a method only when
 * the flag says so, never by asking for the kind. The registry's test checks each flag against the
 * method that backs it.
 */
export const STORE_CAPABILITIES = ["enumerate", "stats", "lookup", "evacuateNode", "replaceNode", "expire"] as const;
export type TStoreCapability = (typeof STORE_CAPABILITIES)[number];
export type TStoreCapabilities = Readonly<Record<TStoreCapability, boolean>>;

/** Roles a stored key can play for one session, across kinds. */
export type TCopyRole = "session" | "validity" | "backup" | "backup-validity" | "expires" | "lock";

/** One key of one session on one node, as found by a lookup. */
export interface TSessionCopy {
  store: string;
  node: string;
  key: string;
  role: TCopyRole;
  /** Remaining seconds; null = never expires. */
  ttlSeconds: number | null;
  size: number;
}

/** What a store says about one session's content, where its format is decodable. */
export interface TSessionDetail {
  /** Where it was read: the primary copy, or the backup when the primary is missing. */
  node: string;
  key: string;
  creationTime: Date | null;
  lastAccessedTime: Date | null;
  maxInactiveInterval: number | null;
  attributes: Array<{ name: string; value: string }>;
  /** Attributes the application could not serialize: lost on failover. */
  notSerializable: string[];
  /** A fact about the attributes rather than a fault, e.g. written by a transcoder that is not decoded. */
  attributesNote: string | null;
  /** Set when the value is there but does not decode (a different transcoder, a corrupt value). */
  decodeError: string | null;
}

/** One session looked up by id: every copy, and its content decoded from the copy already read. */
export interface TLocated {
  copies: TSessionCopy[];
  detail: TSessionDetail | null;
  /**
   * What the copies found should look like, where the kind's layout decides it (MSM sticky vs
   * non-sticky): whether a backup copy on another node is expected, and by how many seconds the store's
   * TTL may fall short of the session's remaining idle time by design. Absent: the kind's defaults.
   */
  expect?: TCopyExpectations;
}

export interface TCopyExpectations {
  backupCopy: boolean;
  ttlShortfallSeconds: number;
  /** Which layout was assumed and why, shown with the copies. */
  layout: string;
  /**
   * The session is this store's (its id names one of the store's nodes) and no copy was found: what that
   * means for its user, in the store's terms. Unset: a missing copy is the general "no store holds it".
   */
  missing?: string;
}

/** How a scan of one node reports progress it cannot help (memcached's crawler busy with another tool). */
export interface TScanHooks {
  /** The node is busy; the scan waits `pauseMs` and asks again. */
  onBusy?(attempt: number, pauseMs: number): void;
  /** Stops waiting for a busy node (the scan is no longer needed). */
  signal?: AbortSignal;
}

/**
 * Sessions of one route, as the index lists them, for a targeted check. Ids stay bytes: a member of a
 * million-session store has a third of a million, and making a string of each cost more than checking
 * them (see routeSessionsByNode for the kinds whose clients take strings).
 */
/** What the cluster around the member says, for kinds whose store nodes are the members themselves. */
export interface TRouteCluster {
  /** Routes of the other members out of rotation (stopped): a replica there does not outlive the member. */
  leavingRoutes: readonly string[];
}

export interface TRouteSessions {
  ids: TIdList;
  /** Per session, the position in nodeNames of the node holding its primary copy (as scanned). */
  node: Uint16Array;
  nodeNames: string[];
}

/**
 * "Is each of these sessions still somewhere that outlives losing the member?", asked of the store:
 * - safe: a copy is there (a shared store holds the session itself; a replica on another Tomcat);
 * - gone: it no longer exists anywhere and its time was up anyway (expired since the scan);
 * - unsafe: no copy outlives the member (first ids listed, all counted).
 */
export interface TRouteVerification {
  checked: number;
  safe: number;
  gone: number;
  unsafeCount: number;
  unsafe: string[];
}

/**
 * One store kind (docs/conventions.md §5). Enumeration streams one node at a time as column batches (a
 * million keys are never one array of objects); lookup goes straight to the node(s) an id names, without
 * scanning.
 */
export interface TStoreAdapter {
  kind: string;
  label: string;
  capabilities: TStoreCapabilities;
  /** The kind keeps a backup copy of each session on another node (MSM's bak: pair): its absence is worth saying. */
  keepsBackupCopies: boolean;
  /** Validates and defaults the kind's options (throws AppError INVALID_INPUT naming the bad field). */
  parseOptions(raw: unknown): Record<string, unknown>;
  /** lookup: every copy of one session, and its decoded content where the format allows, each key read once. */
  locate(store: TStoreConfig, sessionId: string): Promise<TLocated>;
  /** stats: one node's figures, read with one cheap call (memcached `stats`, Redis `INFO`, one SQL, one JMX query). */
  readNodeStats(store: TStoreConfig, node: TStoreNode, timeoutMs: number): Promise<TStoreNodeReading>;
  /** enumerate: every live session a node holds, streamed in batches (feeds the session index). */
  scanNode?(store: TStoreConfig, node: TStoreNode, hooks?: TScanHooks): AsyncIterable<TScanBatch>;
  /**
   * Targeted check of the sessions the index routes to a member (pipelined lookups, not a scan). Kinds
   * that keep sessions only in Tomcat memory check their replicas instead and ignore `sessions`.
   */
  verifyRoute?(
    store: TStoreConfig,
    route: string,
    sessions: TRouteSessions,
    cluster?: TRouteCluster,
  ): Promise<TRouteVerification>;
  /** verifyRoute checks the sessions the index lists (false: it reads its own list, live, and ignores them). */
  verifyRouteFromIndex: boolean;
  /** The node whose copies take over when `nodeId` is lost (MSM: where its sessions' bak: pairs are); null when none. */
  fallbackNode?(store: TStoreConfig, nodeId: string): string | null;
  /** expire: removes every key / copy of one session on every node (dryRun: only finds them). */
  expireSession?(store: TStoreConfig, sessionId: string, dryRun: boolean): Promise<TExpireOutcome>;
  /** replaceNode: copier of one node's session keys to a new server. */
  openNodeCopier?(store: TStoreConfig, nodeId: string, target: TServerAddress): TNodeCopier;
  /** evacuateNode: makes sure the sessions of one node have their copy where the application falls back to. */
  openNodeEvacuator?(store: TStoreConfig, nodeId: string): TNodeEvacuator;
}
