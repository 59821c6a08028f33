import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { ZFrontendInput } from "@/server/services/inventory/inventory-schema";
import * as inventory from "@/server/services/inventory/inventory";
import { listFrontendKinds, ZFrontendKindInfo } from "@/server/services/frontends/frontend-kinds";
import { ZFrontendRecord } from "@/server/services/inventory/inventory-records-schema";

const ZId = z.object({ id: z.number().int().positive() });

export const frontendRouter = createRouter({
  /** Known kinds and what each can do: the UI builds its choices from this, never from a hard-coded list. */
  kinds: viewerProcedure.output(z.array(ZFrontendKindInfo)).query(() => listFrontendKinds()),
  /** Answers the stored frontend without its password (hasPassword). Admin-only options need an admin. */
  create: operatorProcedure
    .input(z.object({ clusterId: z.number().int().positive(), data: ZFrontendInput }))
    .output(ZFrontendRecord)
    .mutation(({ ctx, input }) => inventory.createFrontend(ctx.db, input.clusterId, input.data, whoOf(ctx))),
  /** keepPassword (default): an empty password leaves the stored one; keeping it for a new URL needs an admin. */
  update: operatorProcedure
    .input(ZId.extend({ data: ZFrontendInput.extend({ keepPassword: z.boolean().default(true) }) }))
    .output(ZFrontendRecord)
    .mutation(({ ctx, input }) => inventory.updateFrontend(ctx.db, input.id, input.data, whoOf(ctx))),
  delete: operatorProcedure
    .input(ZId)
    .output(z.void())
    .mutation(({ ctx, input }) => inventory.deleteFrontend(ctx.db, input.id, whoOf(ctx))),
});
