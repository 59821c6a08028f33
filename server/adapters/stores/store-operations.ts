/**
 * Shapes of the two store operations a kind may implement (optional on TStoreAdapter): copying every
 * session key of one node to a new server, and removing one session's keys. Each kind implements them
 * in its own folder; the services under server/services/operations only drive them.
 */

/** The server that takes over a node's id: host and port only, the id stays (MSM ids embed it). */
export interface TServerAddress {
  host: string;
  port: number;
}

/**
 * What happened to one key of a copy pass:
 * - copied: written on the target (a dry run: would be written);
 * - same: the target already holds these bytes;
 * - kept: the target holds a different value that is (or may be) newer, written by the application: left as is;
 * - gone: the key expired or was removed on the source meanwhile;
 * - failed: with the reason.
 */
export type TKeyCopy =
  { key: string; result: "copied" | "same" | "kept" | "gone" } | { key: string; result: "failed"; reason: string };

/** One key compared on source and target after the copy (value bytes; 0 where absent). */
export interface TKeyCheck {
  key: string;
  state: "same" | "missing" | "differs" | "gone";
  sourceBytes: number;
  targetBytes: number;
}

/** Copies one node's session keys to a new, empty server. Never deletes or changes anything on the source. */
export interface TNodeCopier {
  /** The source node's session keys (every role), streamed in batches. */
  keyBatches(): AsyncIterable<string[]>;
  /** Copies the keys with their remaining TTL (dry run: only says what would be copied). */
  copy(keys: string[], dryRun: boolean): Promise<TKeyCopy[]>;
  /** Compares the keys on source and target, byte for byte. */
  check(keys: string[]): Promise<TKeyCheck[]>;
  /** How many of the store's session keys the target holds (a new server starts with none). */
  countTargetKeys(): Promise<number>;
  /** The configuration change that makes the application use the new server, one instruction per line. */
  configChange(): string[];
  close(): void;
}

/** One key of one session found (dry run) or removed by an expire, on one node. */
export interface TExpiredKey {
  node: string;
  key: string;
}

/** Result of expiring one session in one store: the keys (or in-memory copies) found and removed. */
export interface TExpireOutcome {
  /** Keys present before (dry run) or removed. Empty = the store does not hold this session. */
  keys: TExpiredKey[];
  /** What removing them does not guarantee (e.g. a copy the application holds elsewhere), shown with the result. */
  note?: string;
}

/** What happened to one session of an evacuation: its fallback copy was already current, was (or would be) written, or it is gone. */
export type TEvacuated =
  { sessionId: string; result: "ok" | "changed" | "gone" } | { sessionId: string; result: "failed"; reason: string };

/** Makes sure a node's sessions have their copy where the application looks when the node is gone. */
export interface TNodeEvacuator {
  /** The node the application falls back to for this node's sessions. */
  readonly fallback: string;
  /** The sessions given (the node's, from the session index): copy what is missing or stale, read it back (dry run: only check). */
  ensure(sessionIds: string[], dryRun: boolean): Promise<TEvacuated[]>;
  close(): void;
}
