import { z } from "zod";
import { createRouter, viewerProcedure } from "@/server/api/trpc";
import { locateSession, summarizeStores } from "@/server/services/sessions";

const ZCluster = z.object({ cluster: z.string().min(1).max(64) });

export const sessionRouter = createRouter({
  /** Paste a JSESSIONID value, a Cookie header or a URL with ;jsessionid=. */
  locate: viewerProcedure
    .meta({ openapi: { method: "GET", path: "/clusters/{cluster}/sessions/locate", protect: true, tags: ["sessions"], summary: "Where a session lives and which member serves it on each frontend" } })
    .input(ZCluster.extend({ session: z.string().min(1).max(8192).describe("JSESSIONID value, Cookie header, or URL with ;jsessionid=") }))
    .output(z.unknown())
    .query(({ ctx, input }) => locateSession(ctx.db, input.cluster, input.session)),
  /** Sessions per member (route) and per store node, from a full scan of each store. */
  counts: viewerProcedure
    .meta({ openapi: { method: "GET", path: "/clusters/{cluster}/sessions/counts", protect: true, tags: ["sessions"], summary: "Session counts per member and per store node" } })
    .input(ZCluster)
    .output(z.unknown())
    .query(({ ctx, input }) => summarizeStores(ctx.db, input.cluster)),
});
