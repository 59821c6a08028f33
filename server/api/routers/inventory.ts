import { z } from "zod";
import { createRouter, operatorProcedure, whoOf } from "@/server/api/trpc";
import { restRoute } from "@/server/api/rest-meta";
import { applyInventoryYaml, exportInventory, planInventoryYaml } from "@/server/services/inventory/inventory-apply";
import { ZInventoryPlan } from "@/server/services/inventory/inventory-plan";

const ZInventoryDocument = z.object({
  yaml: z.string().min(1).max(1_000_000).describe("an inventory file (the format GET /inventory exports)"),
  prune: z
    .boolean()
    .default(false)
    .describe("also remove the members, frontends and stores of the listed clusters that the file leaves out"),
});

/**
 * Inventory as code (kubectl apply / terraform plan style). Operator role, as the import: the export is
 * the input of an apply and shows the settings an operator edits (credentials never: "<kept>").
 */
// The procedures end in "File": "apply" is reserved by tRPC's router (Function.prototype.apply).
export const inventoryRouter = createRouter({
  exportFile: operatorProcedure
    .meta(restRoute("GET", "/inventory", "inventory", "The inventory (or one cluster's) as YAML, secrets as <kept>"))
    .input(z.object({ cluster: z.string().min(1).max(64).optional().describe("only this cluster") }).optional())
    .output(z.object({ yaml: z.string(), clusters: z.number().int() }))
    .query(({ ctx, input }) => exportInventory(ctx.db, input?.cluster)),
  planFile: operatorProcedure
    .meta(
      restRoute(
        "POST",
        "/inventory/plan",
        "inventory",
        "What applying the file would change, field by field; writes nothing",
      ),
    )
    .input(ZInventoryDocument)
    .output(ZInventoryPlan)
    .mutation(({ ctx, input }) => planInventoryYaml(ctx.db, input.yaml, input.prune)),
  applyFile: operatorProcedure
    .meta(
      restRoute(
        "POST",
        "/inventory/apply",
        "inventory",
        "Make exactly the planned change, in one transaction and one audit entry",
      ),
    )
    .input(ZInventoryDocument)
    .output(ZInventoryPlan)
    .mutation(({ ctx, input }) => applyInventoryYaml(ctx.db, input.yaml, input.prune, whoOf(ctx))),
});
