import { z } from "zod";
import { createRouter, operatorProcedure, viewerProcedure, type TContext } from "@/server/api/trpc";
import { audited } from "@/server/services/audit/audit";
import { ZFrontendInput } from "@/server/services/inventory/inventory-schema";
import * as inventory from "@/server/services/inventory/inventory";
import { listFrontendKinds, ZFrontendKindInfo } from "@/server/services/frontends/frontend-kinds";
import { ZFrontendRecord } from "@/server/services/inventory/inventory-records-schema";

const inv = (ctx: TContext, action: string, target: string | null, details: unknown) => ({
  principal: ctx.principal,
  ip: ctx.ip,
  action,
  target,
  details,
});
const ZId = z.object({ id: z.number().int().positive() });

export const frontendRouter = createRouter({
  /** Known kinds and what each can do: the UI builds its choices from this, never from a hard-coded list. */
  kinds: viewerProcedure.output(z.array(ZFrontendKindInfo)).query(() => listFrontendKinds()),
  create: operatorProcedure
    .input(z.object({ clusterId: z.number().int().positive(), data: ZFrontendInput }))
    .output(ZFrontendRecord)
    .mutation(({ ctx, input }) =>
      audited(ctx.db, inv(ctx, "frontend.create", input.data.name, { clusterId: input.clusterId }), () =>
        inventory.createFrontend(ctx.db, input.clusterId, input.data),
      ),
    ),
  update: operatorProcedure
    .input(ZId.extend({ data: ZFrontendInput.extend({ keepPassword: z.boolean().default(true) }) }))
    .output(ZFrontendRecord)
    .mutation(async ({ ctx, input }) => {
      const { keepPassword, ...data } = input.data;
      const existing = keepPassword ? await ctx.db.frontend.findUnique({ where: { id: input.id } }) : null;
      const row = { ...data, password: keepPassword && !data.password ? (existing?.password ?? null) : data.password };
      return audited(ctx.db, inv(ctx, "frontend.update", data.name, { id: input.id }), () =>
        inventory.updateFrontend(ctx.db, input.id, row),
      );
    }),
  delete: operatorProcedure
    .input(ZId)
    .output(z.void())
    .mutation(({ ctx, input }) =>
      audited(ctx.db, inv(ctx, "frontend.delete", null, { id: input.id }), () =>
        inventory.deleteFrontend(ctx.db, input.id),
      ),
    ),
});
