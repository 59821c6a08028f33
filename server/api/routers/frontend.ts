import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { ZFrontendInput } from "@/server/services/inventory/inventory-schema";
import * as inventory from "@/server/services/inventory/inventory";
import { listFrontendKinds, ZFrontendKindInfo } from "@/server/services/frontends/frontend-kinds";
import { ZFrontendRecord } from "@/server/services/inventory/inventory-records-schema";
import { restRoute } from "@/server/api/rest-meta";
import { ZBalancerSettingInput } from "@/server/domain/balancer-settings";
import { applyBalancerSetting, ZBalancerSettingResult } from "@/server/services/frontends/balancer-settings";

const ZId = z.object({ id: z.coerce.number().int().positive().describe("The frontend's id (inventory)") });

export const frontendRouter = createRouter({
  /**
   * One balancer-level setting (balancer-manager: lbmethod, nofailover, timeout, maxattempts; jkstatus: method,
   * sticky_session, retries, recover_time) on one frontend, read back from its status page and audited.
   */
  setBalancerSetting: operatorProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{cluster}/frontends/{frontend}/balancer-settings",
        protect: true,
        tags: ["frontends"],
        summary: "Set a balancer-level setting on one frontend and verify it on its status page",
      },
    })
    .input(ZBalancerSettingInput)
    .output(ZBalancerSettingResult)
    .mutation(({ ctx, input }) =>
      applyBalancerSetting(ctx.db, input.cluster, input.frontend, input.name, input.value, whoOf(ctx)),
    ),
  /** Known kinds and what each can do: the UI builds its choices from this, never from a hard-coded list. */
  kinds: viewerProcedure
    .meta(restRoute("GET", "/frontend-kinds", "inventory", "Frontend kinds and their capabilities"))
    .input(z.object({}).optional())
    .output(z.array(ZFrontendKindInfo))
    .query(() => listFrontendKinds()),
  /** Answers the stored frontend without its password (hasPassword). Admin-only options need an admin. */
  create: operatorProcedure
    .meta(restRoute("POST", "/frontends", "inventory", "Add a load balancer to a cluster", 201))
    .input(z.object({ clusterId: z.number().int().positive(), data: ZFrontendInput }))
    .output(ZFrontendRecord)
    .mutation(({ ctx, input }) => inventory.createFrontend(ctx.db, input.clusterId, input.data, whoOf(ctx))),
  /** keepPassword (default): an empty password leaves the stored one; keeping it for a new URL needs an admin. */
  update: operatorProcedure
    .meta(
      restRoute("PATCH", "/frontends/{id}", "inventory", "Change a frontend (an empty password keeps the stored one)"),
    )
    .input(ZId.extend({ data: ZFrontendInput.extend({ keepPassword: z.boolean().default(true) }) }))
    .output(ZFrontendRecord)
    .mutation(({ ctx, input }) => inventory.updateFrontend(ctx.db, input.id, input.data, whoOf(ctx))),
  delete: operatorProcedure
    .meta(restRoute("DELETE", "/frontends/{id}", "inventory", "Remove a frontend from the inventory", 204))
    .input(ZId)
    .output(z.void())
    .mutation(({ ctx, input }) => inventory.deleteFrontend(ctx.db, input.id, whoOf(ctx))),
});
