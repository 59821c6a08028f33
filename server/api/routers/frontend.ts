import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure } from "@/server/api/trpc";
import { ZFrontendInput } from "@/server/services/inventory-schema";
import * as inventory from "@/server/services/inventory";
import { listFrontendAdapters } from "@/server/adapters/registry";

const ZId = z.object({ id: z.number().int().positive() });

export const frontendRouter = createRouter({
  /** Known kinds and what each can do: the UI builds its choices from this, never from a hard-coded list. */
  kinds: viewerProcedure.query(() => listFrontendAdapters().map((a) => ({ kind: a.kind, label: a.label, capabilities: a.capabilities }))),
  create: operatorProcedure
    .input(z.object({ clusterId: z.number().int().positive(), data: ZFrontendInput }))
    .mutation(({ ctx, input }) => inventory.createFrontend(ctx.db, input.clusterId, input.data)),
  update: operatorProcedure
    .input(ZId.extend({ data: ZFrontendInput.extend({ keepPassword: z.boolean().default(true) }) }))
    .mutation(async ({ ctx, input }) => {
      const { keepPassword, ...data } = input.data;
      const existing = keepPassword ? await ctx.db.frontend.findUnique({ where: { id: input.id } }) : null;
      return inventory.updateFrontend(ctx.db, input.id, { ...data, password: keepPassword && !data.password ? (existing?.password ?? null) : data.password });
    }),
  delete: operatorProcedure.input(ZId).mutation(({ ctx, input }) => inventory.deleteFrontend(ctx.db, input.id)),
});
