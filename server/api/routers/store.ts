import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure } from "@/server/api/trpc";
import { startEvacuateMsmNode } from "@/server/services/operations/evacuate-msm-node";
import { startReplaceStoreNode } from "@/server/services/operations/replace-store-node";
import { ZOperation, ZOperationStarted } from "@/server/services/operations/operation-schema";

export const storeRouter = createRouter({
  /** MSM: make sure every session on the node has its backup pair on the node MSM falls back to. Run with dryRun first. */
  evacuateNode: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/stores/{store}/nodes/{node}/evacuate",
        protect: true,
        tags: ["sessions"],
        summary: "Back up every session of a memcached node where MSM will look for it (dryRun first)",
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
    .mutation(({ ctx, input }) => startEvacuateMsmNode(ctx.db, input, { principal: ctx.principal, ip: ctx.ip })),
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
    .mutation(({ ctx, input }) => startReplaceStoreNode(ctx.db, input, { principal: ctx.principal, ip: ctx.ip })),
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
    .query(({ ctx, input }) => ctx.db.operation.findUniqueOrThrow({ where: { id: input.id } })),
  list: viewerProcedure
    .input(z.object({ cluster: z.string().min(1).max(64) }))
    .output(z.array(ZOperation))
    .query(({ ctx, input }) =>
      ctx.db.operation.findMany({ where: { cluster: input.cluster }, orderBy: { id: "desc" }, take: 20 }),
    ),
});
