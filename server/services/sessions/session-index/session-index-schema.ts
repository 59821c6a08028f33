import { z } from "zod";

/**
 * Output schemas of the session table's procedures (session.list, session.rescan). `rows[].sessionId` is
 * the field the router masks for viewers: keep its name.
 */

/** One store's part of the index: how old its data is and how its scans are going. */
export const ZStoreScanStatus = z.object({
  store: z.string(),
  kind: z.string(),
  /** The kind can list its sessions; otherwise it is not in the table. */
  indexed: z.boolean(),
  /** When the scan behind the index in use started (epoch ms); null before the first one completed. */
  scannedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  sessions: z.number(),
  /** A scan in progress (the index in use stays the previous one until it ends). */
  building: z
    .object({
      startedAt: z.number(),
      scanned: z.number(),
      nodes: z.array(
        z.object({
          node: z.string(),
          state: z.enum(["waiting", "reading", "busy", "done", "failed"]),
          note: z.string().nullable(),
        }),
      ),
    })
    .nullable(),
  /**
   * Nodes whose sessions are missing or older than the rest, and why: the last scan could not read them
   * (their rows, if any, are from `since`), or the running one is waiting on them ("n1 busy, retrying").
   */
  incomplete: z.array(
    z.object({ node: z.string(), reason: z.string(), since: z.number().nullable(), retrying: z.boolean() }),
  ),
  /** The store could not be scanned at all (its index, if any, is the previous one). */
  error: z.string().nullable(),
});
export type TStoreScanStatus = z.infer<typeof ZStoreScanStatus>;

export const ZIndexStatus = z.object({
  /** When the oldest store's index in use was scanned (epoch ms); null before any scan completed. */
  scannedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** Scans in progress over the cluster's stores: sessions read so far. */
  building: z.object({ startedAt: z.number(), scanned: z.number() }).nullable(),
  /** Stores (or nodes) whose sessions are missing or out of date in the index, and why: said, never hidden. */
  errors: z.array(z.object({ store: z.string(), error: z.string() })),
  /** Stores whose kind cannot list sessions. */
  notIndexed: z.array(z.string()),
  stores: z.array(ZStoreScanStatus),
});
export type TIndexStatus = z.infer<typeof ZIndexStatus>;

export const ZIndexedSession = z.object({
  sessionId: z.string(),
  store: z.string(),
  node: z.string(),
  route: z.string().nullable(),
  /** Seconds left now (scan-time TTL minus time since the scan); null = no expiry reported. */
  ttlSeconds: z.number().nullable(),
  /** Seconds since the last access; null when the store does not report it. */
  idleSeconds: z.number().nullable(),
  size: z.number(),
  copies: z.number(),
});
export type TIndexedSession = z.infer<typeof ZIndexedSession>;

/** The values the table's filters offer: what the index holds. */
export const ZFacets = z.object({
  stores: z.array(z.string()),
  nodes: z.array(z.string()),
  routes: z.array(z.string()),
});
export type TFacets = z.infer<typeof ZFacets>;

export const ZSessionListPage = z.object({
  rows: z.array(ZIndexedSession),
  /** Sessions matching the filters. */
  matched: z.number(),
  /** Sessions in the index. */
  total: z.number(),
  status: ZIndexStatus,
  facets: ZFacets,
});
