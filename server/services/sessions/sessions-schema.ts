import { z } from "zod";
import { ADMIN_STATES, HEALTHS } from "@/server/domain/member-state";
import { STORE_NODE_STATES, STORE_WARNING_CODES } from "@/server/domain/store-health";
import { ZStoreScanStatus } from "@/server/services/sessions/session-index/session-index-schema";

/**
 * Output schemas of the session procedures (docs/conventions.md §4): what locate, counts, safe-to-stop and
 * re-homing answer, checked on the way out and documented in the OpenAPI document. Types the components
 * use come from the router (inferRouterOutputs), so a change here fails the typecheck where it matters.
 * Field names that carry a session id (`sessionId`, `waiting`, `unsafe[].sessionId`, copy `key`) are what
 * the router masks for viewers: keep them.
 */

const ZCopyRole = z.enum(["session", "validity", "backup", "backup-validity", "expires", "lock"]);

export const ZSessionCopy = z.object({
  store: z.string(),
  node: z.string(),
  key: z.string(),
  role: ZCopyRole,
  ttlSeconds: z.number().nullable(),
  size: z.number(),
});

export const ZSessionDetail = z.object({
  store: z.string(),
  node: z.string(),
  key: z.string(),
  creationTime: z.date().nullable(),
  lastAccessedTime: z.date().nullable(),
  maxInactiveInterval: z.number().nullable(),
  attributes: z.array(z.object({ name: z.string(), value: z.string() })),
  notSerializable: z.array(z.string()),
  attributesNote: z.string().nullable(),
  decodeError: z.string().nullable(),
});

export const ZFrontendRouting = z.object({
  frontend: z.string(),
  memberKey: z.string().nullable(),
  adminState: z.enum(ADMIN_STATES).nullable(),
  health: z.enum(HEALTHS).nullable(),
  servedByMember: z.boolean(),
  explanation: z.string(),
});

export const ZLocateResult = z.object({
  sessionId: z.string(),
  baseId: z.string(),
  nodeId: z.string().nullable(),
  route: z.string().nullable(),
  member: z.string().nullable(),
  memberIntendedState: z.enum(ADMIN_STATES).nullable(),
  frontends: z.array(ZFrontendRouting),
  copies: z.array(ZSessionCopy),
  details: z.array(ZSessionDetail),
  storeErrors: z.array(z.object({ store: z.string(), error: z.string() })),
  layouts: z.array(z.object({ store: z.string(), layout: z.string() })),
  warnings: z.array(z.string()),
});

const ZCountMap = z.record(z.string(), z.number());

export const ZSessionCounts = z.object({
  store: z.string(),
  kind: z.string(),
  total: z.number(),
  perNode: ZCountMap,
  perRoute: ZCountMap,
  keysPerNode: ZCountMap,
  /** When the scan behind these counts started, and how long it took. */
  scannedAt: z.date(),
  durationMs: z.number(),
  scannedBy: z
    .string()
    .nullable()
    .describe(
      "several instances: the console instance whose scan these counts are (the keeper of the cluster's session index) when it is not the one answering; null when the answering instance scanned the store itself",
    ),
});

export const ZStoreWarning = z.object({
  code: z.enum(STORE_WARNING_CODES),
  severity: z.enum(["critical", "warning"]),
  message: z.string(),
});

/** One store node as last polled (stats poller) and judged by the health rules. */
export const ZStoreNodeView = z.object({
  node: z.string(),
  host: z.string(),
  port: z.number(),
  state: z.enum([...STORE_NODE_STATES, "unknown"]),
  warnings: z.array(ZStoreWarning),
  /** null: not polled yet. */
  up: z.boolean().nullable(),
  error: z.string().nullable(),
  lastPollAt: z.date().nullable(),
  lastGoodAt: z.date().nullable(),
  pollIntervalMs: z.number(),
  version: z.string().nullable(),
  uptimeSeconds: z.number().nullable(),
  items: z.number().nullable(),
  memoryUsedBytes: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
  connections: z.number().nullable(),
  hitRatio: z.number().nullable(),
  evictions: z.number().nullable(),
  evictionsPerSec: z.number().nullable(),
  opsPerSec: z.number().nullable(),
  /** Sessions whose primary copy the node holds, from the session index (null: not scanned). */
  sessions: z.number().nullable(),
  /** Where the application falls back to when this node is lost (MSM: the node with the bak: pairs). */
  fallback: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
});

const ZCapabilities = z.object({
  enumerate: z.boolean(),
  stats: z.boolean(),
  lookup: z.boolean(),
  evacuateNode: z.boolean(),
  replaceNode: z.boolean(),
  expire: z.boolean(),
});

export const ZStoreSummary = z.object({
  store: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  capabilities: ZCapabilities,
  /** From the session index; null before its first scan (or when the kind cannot list sessions). */
  counts: ZSessionCounts.nullable(),
  scan: ZStoreScanStatus,
  nodes: z.array(ZStoreNodeView),
  /** The worst node state, for the panel's badge. */
  state: z.enum([...STORE_NODE_STATES, "unknown"]),
});

export const ZSafeToStop = z.object({
  member: z.string(),
  route: z.string(),
  total: z.number(),
  safe: z.number(),
  unsafe: z.array(z.object({ store: z.string(), sessionId: z.string() })),
  perStore: z.array(
    z.object({
      store: z.string(),
      kind: z.string(),
      total: z.number(),
      safe: z.number(),
      /** Listed by the index but no longer anywhere (expired or invalidated since its scan). */
      gone: z.number(),
      /** When the index that listed the member's sessions was scanned (null: listed live, or not at all). */
      scannedAt: z.date().nullable(),
      error: z.string().nullable(),
    }),
  ),
  verdict: z.enum(["safe", "unsafe", "unknown"]),
  summary: z.string(),
  /** When the sessions were listed (the oldest index used) and when they were checked in the stores. */
  listedAt: z.date().nullable(),
  checkedAt: z.date(),
});

export const ZRehomingStore = z.object({
  store: z.string(),
  kind: z.string(),
  scannedAt: z.date().nullable(),
  routed: z.number(),
  cameBack: z.number().nullable(),
  waiting: z.array(z.string()),
  /** Sessions of the member now under another route's id (renamed on failover); null: not known. */
  renamed: z.number().nullable(),
  renamedIds: z.array(z.string()),
  error: z.string().nullable(),
});

export const ZRehoming = z.object({
  member: z.string(),
  route: z.string(),
  intendedState: z.enum(ADMIN_STATES),
  since: z.date().nullable(),
  stores: z.array(ZRehomingStore),
  /** When the oldest store index read was scanned (null: not scanned yet, see the stores' errors). */
  scannedAt: z.date().nullable(),
});

const ZStoreMetricValues = z.object({
  upRatio: z.number().nullable().optional(),
  memoryUsedBytes: z.number().nullable().optional(),
  memoryLimitBytes: z.number().nullable().optional(),
  items: z.number().nullable().optional(),
  sessions: z.number().nullable().optional(),
  hitRatio: z.number().nullable().optional(),
  evictionsPerSec: z.number().nullable().optional(),
  connections: z.number().nullable().optional(),
  opsPerSec: z.number().nullable().optional(),
});

export const ZStoreHistory = z.object({
  range: z.enum(["15m", "1h", "24h"]),
  bucketMs: z.number(),
  nodes: z.array(z.object({ key: z.string(), store: z.string(), node: z.string() })),
  points: z.array(z.object({ t: z.number(), values: z.record(z.string(), ZStoreMetricValues) })),
});

/** A store of the cluster and what its kind can do (the UI offers actions from these flags). */
export const ZStoreListing = z.object({
  store: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  capabilities: ZCapabilities,
  nodes: z.array(z.object({ node: z.string(), host: z.string(), port: z.number(), fallback: z.string().nullable() })),
  pollIntervalMs: z.number(),
});
