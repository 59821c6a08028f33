import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure, type TContext } from "@/server/api/trpc";
import { audited } from "@/server/services/audit/audit";
import { ZClusterInput } from "@/server/services/inventory/inventory-schema";
import {
  ZClusterInventory,
  ZClusterRecord,
  ZImportSummary,
} from "@/server/services/inventory/inventory-records-schema";
import * as inventory from "@/server/services/inventory/inventory";
import { getClusterView, getOverview } from "@/server/services/clusters/cluster-view";
import { getClusterHistory, HISTORY_RANGES } from "@/server/services/clusters/history-query";
import { ZClusterSummary, ZClusterView, ZHistorySeries } from "@/server/services/clusters/cluster-view-schema";

const who = (ctx: TContext, action: string, cluster: string | null, details?: unknown) => ({
  principal: ctx.principal,
  ip: ctx.ip,
  action,
  cluster,
  details,
});
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
  /** Inventory as stored (for the editor). Passwords are never sent back. */
  inventory: viewerProcedure
    .input(ZClusterName)
    .output(ZClusterInventory)
    .query(async ({ ctx, input }) => {
      const c = await inventory.getClusterByName(ctx.db, input.name);
      return { ...c, frontends: c.frontends.map(({ password, ...f }) => ({ ...f, hasPassword: Boolean(password) })) };
    }),
  history: viewerProcedure
    .input(ZClusterName.extend({ range: z.enum(Object.keys(HISTORY_RANGES) as [keyof typeof HISTORY_RANGES]) }))
    .output(ZHistorySeries)
    .query(({ ctx, input }) => getClusterHistory(ctx.db, input.name, input.range)),
  create: operatorProcedure
    .input(ZClusterInput)
    .output(ZClusterRecord)
    .mutation(({ ctx, input }) =>
      audited(ctx.db, who(ctx, "cluster.create", input.name), () => inventory.createCluster(ctx.db, input)),
    ),
  update: operatorProcedure
    .input(ZId.extend({ data: ZClusterInput }))
    .output(ZClusterRecord)
    .mutation(({ ctx, input }) =>
      audited(ctx.db, who(ctx, "cluster.update", input.data.name, { id: input.id }), () =>
        inventory.updateCluster(ctx.db, input.id, input.data),
      ),
    ),
  delete: operatorProcedure
    .input(ZId)
    .output(z.void())
    .mutation(({ ctx, input }) =>
      audited(ctx.db, who(ctx, "cluster.delete", null, { id: input.id }), () =>
        inventory.deleteCluster(ctx.db, input.id),
      ),
    ),
  /** Upserts from YAML text (the same format as CLUSTERDECK_INVENTORY). */
  setAutoReapply: operatorProcedure
    .input(ZId.extend({ enabled: z.boolean() }))
    .output(ZClusterRecord)
    .mutation(({ ctx, input }) =>
      inventory.setAutoReapply(ctx.db, input.id, input.enabled, { principal: ctx.principal, ip: ctx.ip }),
    ),
  import: operatorProcedure
    .input(z.object({ yaml: z.string().min(1).max(1_000_000) }))
    .output(ZImportSummary)
    .mutation(({ ctx, input }) =>
      audited(ctx.db, who(ctx, "cluster.import", null), () =>
        inventory.importInventory(ctx.db, inventory.parseInventoryYaml(input.yaml)),
      ),
    ),
});
