import type { TStoreNode, TStoreNodeStats } from "@/server/adapters/stores/types";
import type { TExpireOutcome, TNodeCopier, TServerAddress } from "@/server/adapters/stores/store-operations";

/** One configured session store, as the adapters need it (options already validated for the kind). */
export interface TStoreConfig {
  name: string;
  kind: string;
  nodes: TStoreNode[];
  options: Record<string, unknown>;
}

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
  /** Set when the value is there but does not decode (a different transcoder, a corrupt value). */
  decodeError: string | null;
}

/** Live sessions counted from one full scan. Stale copies (MSM bak: keys left after a failover) are not sessions. */
export interface TSessionCounts {
  store: string;
  kind: string;
  total: number;
  perNode: Record<string, number>;
  /** By the route (jvmRoute) in the session id; "(none)" when the id carries none. */
  perRoute: Record<string, number>;
  /** Keys seen, all roles, per node (for comparing with the node's own item count). */
  keysPerNode: Record<string, number>;
  scannedAt: Date;
  durationMs: number;
}

/**
 * One live session as a full enumeration yields it: a row of the session index. Tomcat-manager yields
 * one row per node holding a copy; the index merges rows of the same store and id.
 */
export interface TSessionRow {
  sessionId: string;
  /** Node holding the session's primary key (MSM nX, a Redis endpoint, a Tomcat, the database). */
  node: string;
  route: string | null;
  /** Remaining seconds at enumeration time; null = never expires or not reported. */
  ttlSeconds: number | null;
  /** Bytes of the primary key/value, 0 when the store does not report it cheaply. */
  size: number;
  /** Last access, unix seconds; null when unknown. */
  lastAccess: number | null;
}

/**
 * One store kind (docs/conventions.md §5). Enumeration streams (a million keys are never one array);
 * lookup goes straight to the node(s) an id names, without scanning.
 */
export interface TStoreAdapter {
  kind: string;
  label: string;
  /** Validates and defaults the kind's options (throws AppError INVALID_INPUT naming the bad field). */
  parseOptions(raw: unknown): Record<string, unknown>;
  countSessions(store: TStoreConfig): Promise<TSessionCounts>;
  lookup(store: TStoreConfig, sessionId: string): Promise<TSessionCopy[]>;
  nodeStats(store: TStoreConfig): Promise<TStoreNodeStats[]>;
  /** Every live session, streamed in batches (feeds the session index; never one array of a million). */
  enumerateSessions?(store: TStoreConfig): AsyncIterable<TSessionRow[]>;
  /**
   * Sessions of one route that would NOT survive losing that member (ids listed). Absent for shared
   * stores, where the store itself holds every session: all of a route's sessions are safe there.
   */
  routeSafety?(store: TStoreConfig, route: string): Promise<{ total: number; safe: number; unsafe: string[] }>;
  /** Decodes one session's value where the kind's format allows; absent when it does not. */
  readSession?(store: TStoreConfig, sessionId: string): Promise<TSessionDetail | null>;
  /** Removes every key / copy of one session on every node (dryRun: only finds them); absent when the kind cannot. */
  expireSession?(store: TStoreConfig, sessionId: string, dryRun: boolean): Promise<TExpireOutcome>;
  /** Copier of one node's session keys to a new server (replace a store server); absent when the kind cannot. */
  openNodeCopier?(store: TStoreConfig, nodeId: string, target: TServerAddress): TNodeCopier;
}
