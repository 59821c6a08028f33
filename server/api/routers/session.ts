import { z } from "zod";
import { createRouter, operatorProcedure, sessionViewerProcedure, whoOf } from "@/server/api/trpc";
import { locateSession } from "@/server/services/sessions/sessions";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { rehomingStatus } from "@/server/services/sessions/rehoming";
import { MAX_EXPIRE_IDS, startExpireSessions, ZSessionIdForExpire } from "@/server/services/operations/expire-sessions";
import { ZOperationStarted } from "@/server/services/operations/operation-schema";
import { listIndexedSessions, rescanSessions } from "@/server/services/sessions/session-index/list";
import { ZSessionQuery } from "@/server/services/sessions/session-index/query";
import { ZIndexStatus, ZSessionListPage } from "@/server/services/sessions/session-index/session-index-schema";
import { ZLocateResult, ZRehoming, ZStoreSummary } from "@/server/services/sessions/sessions-schema";

const ZCluster = z.object({ cluster: z.string().min(1).max(64) });

/**
 * Session ids are credentials: every viewer procedure here answers through sessionViewerProcedure, which
 * masks ids and hides attribute values for viewers (server/domain/session-ids.ts names the fields).
 * Searches and locate run on the full id first.
 */
export const sessionRouter = createRouter({
  /** The searchable, paged session table, served from the background-scanned session index. */
  list: sessionViewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/sessions",
        protect: true,
        tags: ["sessions"],
        summary: "Search and page the cluster's sessions (from the session index)",
      },
    })
    .input(ZCluster.extend(ZSessionQuery.shape))
    .output(ZSessionListPage)
    .query(({ ctx, input }) => {
      const { cluster, ...query } = input;
      return listIndexedSessions(ctx.db, cluster, query);
    }),
  /** Starts a fresh scan of every store now (or right after the one running; read-only on the stores); the table shows its progress. */
  rescan: sessionViewerProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/sessions/rescan",
        protect: true,
        tags: ["sessions"],
        summary: "Rescan the cluster's stores into the session index",
      },
    })
    .input(ZCluster)
    .output(ZIndexStatus)
    .mutation(({ ctx, input }) => rescanSessions(ctx.db, input.cluster)),
  /** Paste a JSESSIONID value, a Cookie header or a URL with ;jsessionid=. */
  locate: sessionViewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/sessions/locate",
        protect: true,
        tags: ["sessions"],
        summary: "Where a session lives and which member serves it on each frontend",
      },
    })
    .input(
      ZCluster.extend({
        session: z.string().min(1).max(8192).describe("JSESSIONID value, Cookie header, or URL with ;jsessionid="),
      }),
    )
    .output(ZLocateResult)
    .query(({ ctx, input }) => locateSession(ctx.db, input.cluster, input.session)),
  /** After a stop or disable: the member's sessions, and how many have come back (served elsewhere) since. */
  rehoming: sessionViewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/members/{member}/rehoming",
        protect: true,
        tags: ["sessions"],
        summary: "A stopped member's sessions re-homing as users come back",
      },
    })
    .input(ZCluster.extend({ member: z.string().min(1).max(64) }))
    .output(ZRehoming)
    .query(({ ctx, input }) => rehomingStatus(ctx.db, input.cluster, input.member)),
  /**
   * Sessions per member (route) and per store node from the session index (how old it is is said), with
   * each node's live stats and health. Looking keeps the index current; it never starts a scan of its own.
   */
  counts: sessionViewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/sessions/counts",
        protect: true,
        tags: ["sessions"],
        summary: "Session counts per member and per store node",
      },
    })
    .input(ZCluster)
    .output(z.array(ZStoreSummary))
    .query(({ ctx, input }) => summarizeStores(ctx.db, input.cluster, { viewed: true })),
  /** Removes the sessions' keys and copies in every store of the cluster (dryRun first: lists them). */
  expire: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/sessions/expire",
        protect: true,
        tags: ["sessions"],
        summary: "Expire sessions: remove every key and copy in every store (dryRun first)",
      },
    })
    .input(
      ZCluster.extend({
        ids: z.array(ZSessionIdForExpire).min(1).max(MAX_EXPIRE_IDS),
        dryRun: z.boolean().default(true),
      }),
    )
    .output(ZOperationStarted)
    .mutation(({ ctx, input }) => startExpireSessions(ctx.db, input, whoOf(ctx))),
});
