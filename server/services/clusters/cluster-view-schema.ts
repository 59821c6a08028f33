import { z } from "zod";
import { ADMIN_STATES, HEALTHS } from "@/server/domain/member-state";

/**
 * Output schemas of the procedures that return what was read from frontends (docs/conventions.md §4):
 * whatever a parser let through, the wire carries only these shapes.
 */
const ZRollup = z.enum(["healthy", "degraded", "failing", "unknown", "empty"]);

export const ZMemberOnFrontend = z.object({
  frontendId: z.number().int(),
  key: z.string(),
  adminState: z.enum(ADMIN_STATES),
  health: z.enum(HEALTHS),
  busy: z.number(),
  elected: z.number(),
  errors: z.number().nullable(),
  loadfactor: z.number(),
  lbset: z.number(),
  requestsPerSec: z.number().nullable(),
  bytesPerSec: z.number().nullable(),
  errorsPerSec: z.number().nullable(),
  stale: z.boolean(),
  drifted: z.boolean(),
});

export const ZClusterView = z.object({
  cluster: z.object({ id: z.number().int(), name: z.string(), description: z.string(), autoReapply: z.boolean() }),
  frontends: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      kind: z.string(),
      kindLabel: z.string(),
      url: z.string(),
      balancer: z.string(),
      pollIntervalMs: z.number().int(),
      enabled: z.boolean(),
      up: z.boolean().nullable(),
      error: z.string().nullable(),
      errorCode: z.string().nullable(),
      lastPollAt: z.date().nullable(),
      lastGoodAt: z.date().nullable(),
      durationMs: z.number().nullable(),
      adminStates: z.array(z.enum(ADMIN_STATES)).readonly(),
      notes: z.partialRecord(z.enum(ADMIN_STATES), z.string()).default({}),
    }),
  ),
  members: z.array(
    z.object({
      memberId: z.number().int().nullable(),
      name: z.string(),
      route: z.string(),
      host: z.string().nullable(),
      intendedState: z.enum(ADMIN_STATES).nullable(),
      intendedWeight: z.number().nullable(),
      drift: z.boolean(),
      states: z.array(ZMemberOnFrontend.nullable()),
      disagreement: z.boolean(),
      health: ZRollup,
    }),
  ),
  health: ZRollup,
});

export const ZClusterSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  health: ZRollup,
  members: z.number().int(),
  healthyMembers: z.number().int(),
  frontends: z.number().int(),
  frontendsUp: z.number().int(),
  disagreements: z.number().int(),
  drifted: z.number().int(),
});

const ZPointValues = z.object({
  requestsPerSec: z.number(),
  busy: z.number(),
  errorsPerSec: z.number().nullable(),
  bytesPerSec: z.number(),
});
export const ZHistorySeries = z.object({
  range: z.enum(["15m", "1h", "24h"]),
  bucketMs: z.number().int(),
  routes: z.array(z.string()),
  points: z.array(z.object({ t: z.number(), values: z.record(z.string(), ZPointValues) })),
});
