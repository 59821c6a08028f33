import { z } from "zod";
import { createRouter, forCaller, operatorProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { ZClusterInput } from "@/server/services/inventory/inventory-schema";
import {
  ZClusterInventory,
  ZClusterRecord,
  ZImportSummary,
} from "@/server/services/inventory/inventory-records-schema";
import * as inventory from "@/server/services/inventory/inventory";
import { getClusterView, getOverview } from "@/server/services/clusters/cluster-view";
import { getClusterHistory, HISTORY_RANGES } from "@/server/services/clusters/history-query";
import {
  ZClusterSummary,
  ZClusterView,
  ZHistoryPick,
  ZHistorySeries,
} from "@/server/services/clusters/cluster-view-schema";

const ZId = z.object({ id: z.number().int().positive() });
const ZClusterName = z.object({ name: z.string().min(1).max(64) });

export const clusterRouter = createRouter({
  /** Health at a glance for every cluster. */
  overview: viewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters",
        protect: true,
        tags: ["clusters"],
        summary: "Every cluster's health",
      },
    })
    .input(z.object({}).optional())
    .output(z.array(ZClusterSummary))
    .query(({ ctx }) => getOverview(ctx.db)),
  /** Members merged across frontends, with each frontend's latest poll outcome. */
  get: viewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{name}",
        protect: true,
        tags: ["clusters"],
        summary: "Members merged across frontends, with drift and each frontend's last poll",
      },
    })
    .input(ZClusterName)
    .output(ZClusterView)
    .query(({ ctx, input }) => getClusterView(ctx.db, input.name)),
  /** Inventory as stored (for the editor): passwords never (only hasPassword); viewers see settings' secrets hidden. */
  inventory: viewerProcedure
    .input(ZClusterName)
    .output(ZClusterInventory)
    .query(async ({ ctx, input }) => forCaller(ctx, await inventory.getInventory(ctx.db, input.name))),
  /** Chart series of the picked members (default: the 5 busiest by requests) and the cluster total. */
  history: viewerProcedure
    .input(
      ZClusterName.extend({
        range: z.enum(Object.keys(HISTORY_RANGES) as [keyof typeof HISTORY_RANGES]),
        pick: ZHistoryPick.optional(),
      }),
    )
    .output(ZHistorySeries)
    .query(({ ctx, input }) => getClusterHistory(ctx.db, input.name, input.range, input.pick)),
  create: operatorProcedure
    .input(ZClusterInput)
    .output(ZClusterRecord)
    .mutation(({ ctx, input }) => inventory.createCluster(ctx.db, input, whoOf(ctx))),
  update: operatorProcedure
    .input(ZId.extend({ data: ZClusterInput }))
    .output(ZClusterRecord)
    .mutation(({ ctx, input }) => inventory.updateCluster(ctx.db, input.id, input.data, whoOf(ctx))),
  delete: operatorProcedure
    .input(ZId)
    .output(z.void())
    .mutation(({ ctx, input }) => inventory.deleteCluster(ctx.db, input.id, whoOf(ctx))),
  setAutoReapply: operatorProcedure
    .input(ZId.extend({ enabled: z.boolean() }))
    .output(ZClusterRecord)
    .mutation(({ ctx, input }) => inventory.setAutoReapply(ctx.db, input.id, input.enabled, whoOf(ctx))),
  /** Upserts from YAML text (the same format as CLUSTERDECK_INVENTORY); admin-only settings need an admin. */
  import: operatorProcedure
    .input(z.object({ yaml: z.string().min(1).max(1_000_000) }))
    .output(ZImportSummary)
    .mutation(({ ctx, input }) => inventory.importInventoryYaml(ctx.db, input.yaml, whoOf(ctx))),
});
