import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure } from "@/server/api/trpc";
import { startEvacuateMsmNode } from "@/server/services/operations/evacuate-msm-node";

const ZOperation = z.object({
  id: z.number().int(),
  kind: z.string(),
  cluster: z.string(),
  target: z.string(),
  dryRun: z.boolean(),
  state: z.string(),
  total: z.number().int(),
  processed: z.number().int(),
  changed: z.number().int(),
  alreadyOk: z.number().int(),
  failedCount: z.number().int(),
  message: z.string().nullable(),
  report: z.string().nullable(),
  startedBy: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
});

export const storeRouter = createRouter({
  /** MSM: make sure every session on the node has its backup pair on the node MSM falls back to. Run with dryRun first. */
  evacuateNode: operatorProcedure
    .meta({ openapi: { method: "POST", path: "/clusters/{cluster}/stores/{store}/nodes/{node}/evacuate", protect: true, tags: ["sessions"], summary: "Back up every session of a memcached node where MSM will look for it (dryRun first)" } })
    .input(z.object({ cluster: z.string().min(1).max(64), store: z.string().min(1).max(64), node: z.string().min(1).max(64), dryRun: z.boolean().default(true) }))
    .output(ZOperation.omit({ report: true }).partial().extend({ id: z.number().int() }))
    .mutation(({ ctx, input }) => startEvacuateMsmNode(ctx.db, input, { principal: ctx.principal, ip: ctx.ip })),
});

export const operationRouter = createRouter({
  get: viewerProcedure
    .meta({ openapi: { method: "GET", path: "/operations/{id}", protect: true, tags: ["sessions"], summary: "One operation's progress and outcome" } })
    .input(z.object({ id: z.coerce.number().int().positive() }))
    .output(ZOperation)
    .query(({ ctx, input }) => ctx.db.operation.findUniqueOrThrow({ where: { id: input.id } })),
  list: viewerProcedure.input(z.object({ cluster: z.string().min(1).max(64) })).query(({ ctx, input }) => ctx.db.operation.findMany({ where: { cluster: input.cluster }, orderBy: { id: "desc" }, take: 20 })),
});
