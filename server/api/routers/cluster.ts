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
import { getClusterHistory, HISTORY_RANGES, pickOf, ZHistoryQuery } from "@/server/services/clusters/history-query";
import { restRoute } from "@/server/api/rest-meta";
import { pageOf, ZPage } from "@/server/api/paging";
import { ZClusterSummary, ZClusterView, ZHistorySeries } from "@/server/services/clusters/cluster-view-schema";

const ZClusterName = z.object({ name: z.string().min(1).max(64) });

export const clusterRouter = createRouter({
  /** Health at a glance for every cluster. */
  overview: viewerProcedure
    .meta(restRoute("GET", "/clusters", "clusters", "Every cluster's health, by name"))
    .input(ZPage.optional())
    .output(z.array(ZClusterSummary))
    .query(async ({ ctx, input }) => pageOf(await getOverview(ctx.db), input)),
  /** Members merged across frontends, with each frontend's latest poll outcome. */
  get: viewerProcedure
    .meta(
      restRoute(
        "GET",
        "/clusters/{name}",
        "clusters",
        "Members merged across frontends, with drift and each frontend's last poll",
      ),
    )
    .input(ZClusterName)
    .output(ZClusterView)
    .query(({ ctx, input }) => getClusterView(ctx.db, input.name)),
  /** Inventory as stored (for the editor): passwords never (only hasPassword); viewers see settings' secrets hidden. */
  inventory: viewerProcedure
    .meta(restRoute("GET", "/clusters/{name}/inventory", "clusters", "The cluster's members and frontends as stored"))
    .input(ZClusterName)
    .output(ZClusterInventory)
    .query(async ({ ctx, input }) => forCaller(ctx, await inventory.getInventory(ctx.db, input.name))),
  /** Chart series of the picked members (default: the 5 busiest by requests) and the cluster total. */
  history: viewerProcedure
    .meta(
      restRoute(
        "GET",
        "/clusters/{name}/history",
        "clusters",
        "Requests, errors, traffic and busy per member (the picked ones) and the cluster total, per time bucket",
      ),
    )
    .input(
      ZClusterName.extend({ range: z.enum(Object.keys(HISTORY_RANGES) as [keyof typeof HISTORY_RANGES]) }).extend(
        ZHistoryQuery.shape,
      ),
    )
    .output(ZHistorySeries)
    .query(({ ctx, input }) => getClusterHistory(ctx.db, input.name, input.range, pickOf(input))),
  create: operatorProcedure
    .meta(restRoute("POST", "/clusters", "clusters", "Add a cluster", 201))
    .input(ZClusterInput)
    .output(ZClusterRecord)
    .mutation(({ ctx, input }) => inventory.createCluster(ctx.db, input, whoOf(ctx))),
  /** Addressed by the cluster's current name; `data.name` may rename it. */
  update: operatorProcedure
    .meta(restRoute("PATCH", "/clusters/{name}", "clusters", "Rename a cluster or change its description"))
    .input(ZClusterName.extend({ data: ZClusterInput }))
    .output(ZClusterRecord)
    .mutation(async ({ ctx, input }) =>
      inventory.updateCluster(ctx.db, await inventory.clusterIdOf(ctx.db, input.name), input.data, whoOf(ctx)),
    ),
  delete: operatorProcedure
    .meta(restRoute("DELETE", "/clusters/{name}", "clusters", "Remove a cluster and its inventory", 204))
    .input(ZClusterName)
    .output(z.void())
    .mutation(async ({ ctx, input }) =>
      inventory.deleteCluster(ctx.db, await inventory.clusterIdOf(ctx.db, input.name), whoOf(ctx)),
    ),
  setAutoReapply: operatorProcedure
    .meta(
      restRoute("PATCH", "/clusters/{name}/auto-reapply", "clusters", "Turn automatic re-apply after drift on or off"),
    )
    .input(ZClusterName.extend({ enabled: z.boolean() }))
    .output(ZClusterRecord)
    .mutation(async ({ ctx, input }) =>
      inventory.setAutoReapply(ctx.db, await inventory.clusterIdOf(ctx.db, input.name), input.enabled, whoOf(ctx)),
    ),
  /** Upserts from YAML text (the same format as CLUSTERDECK_INVENTORY); admin-only settings need an admin. */
  import: operatorProcedure
    .meta(
      restRoute("POST", "/inventory/import", "inventory", "Add or update clusters from inventory YAML (never removes)"),
    )
    .input(z.object({ yaml: z.string().min(1).max(1_000_000) }))
    .output(ZImportSummary)
    .mutation(({ ctx, input }) => inventory.importInventoryYaml(ctx.db, input.yaml, whoOf(ctx))),
});
