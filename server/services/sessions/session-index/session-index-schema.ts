import { z } from "zod";

/**
 * Output schemas of the session table's procedures (session.list, session.rescan). `rows[].sessionId` is
 * the field the router masks for viewers: keep its name.
 */

export const ZIndexStatus = z.object({
  /** When the index in use was scanned (epoch ms); null before the first scan finishes. */
  scannedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** A scan in progress: sessions read so far (the index in use stays the previous one until it ends). */
  building: z.object({ startedAt: z.number(), scanned: z.number() }).nullable(),
  /** Stores whose scan failed: their sessions are missing from the index, said here, never hidden. */
  errors: z.array(z.object({ store: z.string(), error: z.string() })),
  /** Stores whose kind cannot list sessions. */
  notIndexed: z.array(z.string()),
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
