import { z } from "zod";

/**
 * Output schemas of the inventory procedures (create, update, import, the editor's read): the rows as
 * stored. A frontend's password never leaves the server: a record says only whether one is set.
 */
export const ZClusterRecord = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  autoReapply: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const ZMemberRecord = z.object({
  id: z.number().int(),
  clusterId: z.number().int(),
  name: z.string(),
  route: z.string(),
  host: z.string(),
  httpPort: z.number().int().nullable(),
  ajpPort: z.number().int().nullable(),
  /** What ClusterDeck was last told for the member (an admin state: active, draining, …). */
  intendedState: z.string(),
  intendedWeight: z.number().nullable(),
  intendedAt: z.date().nullable(),
  intendedBy: z.string().nullable(),
});

/** A frontend as stored, without its password (an object schema drops the field from the answer). */
export const ZFrontendRecord = z.object({
  id: z.number().int(),
  clusterId: z.number().int(),
  name: z.string(),
  kind: z.string(),
  url: z.string(),
  balancer: z.string(),
  username: z.string().nullable(),
  pollIntervalMs: z.number().int(),
  timeoutMs: z.number().int(),
  enabled: z.boolean(),
  /** The kind's options as JSON text ("{}" for none). */
  options: z.string(),
});

/** A cluster's inventory for the editor: members and frontends, each frontend saying whether a password is set. */
export const ZClusterInventory = ZClusterRecord.extend({
  members: z.array(ZMemberRecord),
  frontends: z.array(ZFrontendRecord.extend({ hasPassword: z.boolean() })),
});

/** What an import upserted. */
export const ZImportSummary = z.object({
  clusters: z.number().int(),
  members: z.number().int(),
  frontends: z.number().int(),
  stores: z.number().int(),
});
