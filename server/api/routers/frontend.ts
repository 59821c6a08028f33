import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { ZFrontendInput } from "@/server/services/inventory/inventory-schema";
import * as inventory from "@/server/services/inventory/inventory";
import { listFrontendAdapters } from "@/server/adapters/registry";

const ZId = z.object({ id: z.number().int().positive() });

export const frontendRouter = createRouter({
  /** Known kinds and what each can do: the UI builds its choices from this, never from a hard-coded list. */
  kinds: viewerProcedure.query(() =>
    listFrontendAdapters().map((a) => ({
      kind: a.kind,
      label: a.label,
      capabilities: a.capabilities,
      targetExample: a.targetExample ?? null,
      /** Options only an admin may set or change (the editor says so beside them). */
      adminOnlyOptions: (a.privilegedOptions ?? []).map((o) => o.path.at(-1)!),
    })),
  ),
  /** Answers the stored frontend without its password (hasPassword). Admin-only options need an admin. */
  create: operatorProcedure
    .input(z.object({ clusterId: z.number().int().positive(), data: ZFrontendInput }))
    .mutation(({ ctx, input }) => inventory.createFrontend(ctx.db, input.clusterId, input.data, whoOf(ctx))),
  /** keepPassword (default): an empty password leaves the stored one; keeping it for a new URL needs an admin. */
  update: operatorProcedure
    .input(ZId.extend({ data: ZFrontendInput.extend({ keepPassword: z.boolean().default(true) }) }))
    .mutation(({ ctx, input }) => inventory.updateFrontend(ctx.db, input.id, input.data, whoOf(ctx))),
  delete: operatorProcedure
    .input(ZId)
    .mutation(({ ctx, input }) => inventory.deleteFrontend(ctx.db, input.id, whoOf(ctx))),
});
