import { z } from "zod";

/**
 * Offset paging for the API's lists (REST `?limit=&offset=`): absent = the whole list, as the pages
 * ask for it. The lists it pages are small (per cluster, per console); the audit log, the session
 * table and history have their own cursors or ranges.
 */
export const ZPage = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional().describe("at most this many items"),
  offset: z.coerce.number().int().min(0).default(0).describe("skip this many items first"),
});
export type TPage = z.infer<typeof ZPage>;

export function pageOf<T>(items: T[], page: Partial<TPage> | undefined): T[] {
  const offset = page?.offset ?? 0;
  return items.slice(offset, page?.limit === undefined ? undefined : offset + page.limit);
}
