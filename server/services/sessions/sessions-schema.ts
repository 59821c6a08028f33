import { z } from "zod";
import { ADMIN_STATES, HEALTHS } from "@/server/domain/member-state";

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
  scannedAt: z.date(),
  durationMs: z.number(),
});

export const ZStoreNodeStats = z.object({
  node: z.string(),
  items: z.number(),
  bytes: z.number(),
  evictions: z.number(),
  limitBytes: z.number().nullable(),
  version: z.string(),
  serverTime: z.number(),
});

export const ZStoreSummary = z.object({
  store: z.string(),
  kind: z.string(),
  counts: ZSessionCounts.nullable(),
  nodes: z.array(ZStoreNodeStats),
  error: z.string().nullable(),
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
      error: z.string().nullable(),
    }),
  ),
  verdict: z.enum(["safe", "unsafe", "unknown"]),
  summary: z.string(),
});

export const ZRehomingStore = z.object({
  store: z.string(),
  kind: z.string(),
  routed: z.number(),
  cameBack: z.number().nullable(),
  waiting: z.array(z.string()),
  error: z.string().nullable(),
});

export const ZRehoming = z.object({
  member: z.string(),
  route: z.string(),
  intendedState: z.enum(ADMIN_STATES),
  since: z.date().nullable(),
  stores: z.array(ZRehomingStore),
  scannedAt: z.date(),
});
