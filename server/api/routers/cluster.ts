import { z } from "zod";
import { createRouter, publicProcedure } from "@/server/api/trpc";
import { ZClusterInput } from "@/server/services/inventory-schema";
import * as inventory from "@/server/services/inventory";
import { getClusterView, getOverview } from "@/server/services/cluster-view";
import { getClusterHistory, HISTORY_RANGES } from "@/server/services/history-query";
import { ZClusterSummary, ZClusterView, ZHistorySeries } from "@/server/services/cluster-view-schema";

const ZId = z.object({ id: z.number().int().positive() });
const ZClusterName = z.object({ name: z.string().min(1).max(64) });

export const clusterRouter = createRouter({
  /** Health at a glance for every cluster. */
  overview: publicProcedure.output(z.array(ZClusterSummary)).query(({ ctx }) => getOverview(ctx.db)),
  /** Members merged across frontends, with each frontend's latest poll outcome. */
  get: publicProcedure.input(ZClusterName).output(ZClusterView).query(({ ctx, input }) => getClusterView(ctx.db, input.name)),
  /** Inventory as stored (for the editor). Passwords are never sent back. */
  inventory: publicProcedure.input(ZClusterName).query(async ({ ctx, input }) => {
    const c = await inventory.getClusterByName(ctx.db, input.name);
    return { ...c, frontends: c.frontends.map(({ password, ...f }) => ({ ...f, hasPassword: Boolean(password) })) };
  }),
  history: publicProcedure
    .input(ZClusterName.extend({ range: z.enum(Object.keys(HISTORY_RANGES) as [keyof typeof HISTORY_RANGES]) }))
    .output(ZHistorySeries)
    .query(({ ctx, input }) => getClusterHistory(ctx.db, input.name, input.range)),
  create: publicProcedure.input(ZClusterInput).mutation(({ ctx, input }) => inventory.createCluster(ctx.db, input)),
  update: publicProcedure.input(ZId.extend({ data: ZClusterInput })).mutation(({ ctx, input }) => inventory.updateCluster(ctx.db, input.id, input.data)),
  delete: publicProcedure.input(ZId).mutation(({ ctx, input }) => inventory.deleteCluster(ctx.db, input.id)),
  /** Upserts from YAML text (the same format as CLUSTERDECK_INVENTORY). */
  import: publicProcedure
    .input(z.object({ yaml: z.string().min(1).max(1_000_000) }))
    .mutation(({ ctx, input }) => inventory.importInventory(ctx.db, inventory.parseInventoryYaml(input.yaml))),
});
