import { z } from "zod";
import { createRouter, forCaller, operatorProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { getOperation, listOperations } from "@/server/services/operations/read";
import { startEvacuateStoreNode } from "@/server/services/operations/evacuate-store-node";
import { listStores } from "@/server/services/sessions/stores";
import { getStoreHistory } from "@/server/services/sessions/store-history-query";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { ZStoreHistory, ZStoreListing, ZStoreSummary } from "@/server/services/sessions/sessions-schema";
import { startReplaceStoreNode } from "@/server/services/operations/replace-store-node";
import { ZOperation, ZOperationStarted } from "@/server/services/operations/operation-schema";
import { restRoute } from "@/server/api/rest-meta";
import { pageOf, ZPage } from "@/server/api/paging";

const ZCluster = z.object({ cluster: z.string().min(1).max(64) });

export const storeRouter = createRouter({
  /** The cluster's session stores, their nodes, and what each kind can do (which actions the UI offers). */
  list: viewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/stores",
        protect: true,
        tags: ["sessions"],
        summary: "The cluster's session stores and their capabilities",
      },
    })
    .input(ZCluster)
    .output(z.array(ZStoreListing))
    .query(({ ctx, input }) => listStores(ctx.db, input.cluster)),
  /** Every store node's live stats and health (the stats poller's last reading) and the index's session counts; no scan. */
  status: viewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/stores/status",
        protect: true,
        tags: ["sessions"],
        summary: "Session store nodes: live stats, health and warnings",
      },
    })
    .input(ZCluster)
    .output(z.array(ZStoreSummary))
    .query(({ ctx, input }) => summarizeStores(ctx.db, input.cluster, { viewed: false })),
  /** Store node charts: memory vs limit, items and sessions, hit ratio, evictions/s, connections, ops/s. */
  history: viewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{cluster}/stores/history",
        protect: true,
        tags: ["sessions"],
        summary: "Store node stats over 15 minutes, 1 hour or 24 hours",
      },
    })
    .input(ZCluster.extend({ range: z.enum(["15m", "1h", "24h"]).default("15m") }))
    .output(ZStoreHistory)
    .query(({ ctx, input }) => getStoreHistory(ctx.db, input.cluster, input.range)),
  /** Stores that can (capability evacuateNode, MSM): every session of the node gets its copy where the application falls back to. Dry run first. */
  evacuateNode: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/stores/{store}/nodes/{node}/evacuate",
        protect: true,
        tags: ["sessions"],
        summary: "Copy every session of a store node to where the application falls back to (dryRun first)",
      },
    })
    .input(
      z.object({
        cluster: z.string().min(1).max(64),
        store: z.string().min(1).max(64),
        node: z.string().min(1).max(64),
        dryRun: z.boolean().default(true),
      }),
    )
    .output(ZOperationStarted)
    .mutation(({ ctx, input }) => startEvacuateStoreNode(ctx.db, input, whoOf(ctx))),
  /** Copy every session key of a node to a new, empty server (TTLs kept, source untouched), verify, and say which config to change. */
  replaceNode: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/stores/{store}/nodes/{node}/replace",
        protect: true,
        tags: ["sessions"],
        summary: "Copy a store node's sessions to a new server, keeping the node id (dryRun first)",
      },
    })
    .input(
      z.object({
        cluster: z.string().min(1).max(64),
        store: z.string().min(1).max(64),
        node: z.string().min(1).max(64),
        host: z
          .string()
          .min(1)
          .max(253)
          .regex(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/, "a host name or IP address"),
        port: z.coerce.number().int().min(1).max(65535),
        dryRun: z.boolean().default(true),
      }),
    )
    .output(ZOperationStarted)
    .mutation(({ ctx, input }) => startReplaceStoreNode(ctx.db, input, whoOf(ctx))),
});

export const operationRouter = createRouter({
  get: viewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/operations/{id}",
        protect: true,
        tags: ["sessions"],
        summary: "One operation's progress and outcome",
      },
    })
    .input(z.object({ id: z.coerce.number().int().positive() }))
    .output(ZOperation)
    // Masked for viewers on the whole row (its params name the ids a one-session target repeats).
    .query(async ({ ctx, input }) => forCaller(ctx, await getOperation(ctx.db, input.id))),
  list: viewerProcedure
    .meta(
      restRoute(
        "GET",
        "/clusters/{cluster}/operations",
        "sessions",
        "The cluster's journaled operations, newest first",
      ),
    )
    .input(ZPage.extend({ cluster: z.string().min(1).max(64) }))
    .output(z.array(ZOperation))
    .query(async ({ ctx, input }) => forCaller(ctx, pageOf(await listOperations(ctx.db, input.cluster), input))),
});
