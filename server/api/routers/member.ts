import { z } from "zod";
import { createRouter, publicProcedure } from "@/server/api/trpc";
import { ZMemberInput } from "@/server/services/inventory-schema";
import * as inventory from "@/server/services/inventory";

const ZId = z.object({ id: z.number().int().positive() });

export const memberRouter = createRouter({
  create: publicProcedure
    .input(z.object({ clusterId: z.number().int().positive(), data: ZMemberInput }))
    .mutation(({ ctx, input }) => inventory.createMember(ctx.db, input.clusterId, input.data)),
  update: publicProcedure.input(ZId.extend({ data: ZMemberInput })).mutation(({ ctx, input }) => inventory.updateMember(ctx.db, input.id, input.data)),
  delete: publicProcedure.input(ZId).mutation(({ ctx, input }) => inventory.deleteMember(ctx.db, input.id)),
});
