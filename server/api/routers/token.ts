import { z } from "zod";
import { adminProcedure, createRouter, whoOf } from "@/server/api/trpc";
import { issueApiToken, listApiTokens, revokeApiTokenAudited } from "@/server/auth/api-tokens";
import { ZApiTokenRecord, ZCreatedApiToken, ZRevokedApiToken } from "@/server/auth/auth-schema";
import { ROLES } from "@/server/auth/roles";

/** API tokens for scripts. Admin only: a token is a standing credential. */
export const tokenRouter = createRouter({
  list: adminProcedure.output(z.array(ZApiTokenRecord)).query(({ ctx }) => listApiTokens(ctx.db, ctx.principal)),
  /** The secret is in this response only; it is stored as a hash. `expiresInDays` ends it by itself. */
  create: adminProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(64),
        role: z.enum(ROLES),
        expiresInDays: z.number().int().min(1).max(3650).nullish(),
      }),
    )
    .output(ZCreatedApiToken)
    .mutation(({ ctx, input }) => issueApiToken(ctx.db, ctx.principal, input, whoOf(ctx))),
  revoke: adminProcedure
    .input(z.object({ id: z.number().int().positive() }))
    .output(ZRevokedApiToken)
    .mutation(({ ctx, input }) => revokeApiTokenAudited(ctx.db, ctx.principal, input.id, whoOf(ctx))),
});
