import { z } from "zod";
import { adminProcedure, createRouter, whoOf } from "@/server/api/trpc";
import { issueApiToken, listApiTokens, revokeApiTokenAudited } from "@/server/auth/api-tokens";
import { ZApiTokenRecord, ZCreatedApiToken, ZRevokedApiToken } from "@/server/auth/auth-schema";
import { ROLES } from "@/server/auth/roles";
import { restRoute } from "@/server/api/rest-meta";
import { pageOf, ZPage } from "@/server/api/paging";

/** API tokens for scripts. Admin only: a token is a standing credential. */
export const tokenRouter = createRouter({
  list: adminProcedure
    .meta(restRoute("GET", "/tokens", "users", "API tokens (never their secrets)"))
    .input(ZPage.optional())
    .output(z.array(ZApiTokenRecord))
    .query(async ({ ctx, input }) => pageOf(await listApiTokens(ctx.db, ctx.principal), input)),
  /** The secret is in this response only; it is stored as a hash. `expiresInDays` ends it by itself. */
  create: adminProcedure
    .meta(restRoute("POST", "/tokens", "users", "Issue an API token (its secret is in this answer only)", 201))
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
    .meta(restRoute("DELETE", "/tokens/{id}", "users", "Revoke an API token (answers the revoked token)"))
    .input(z.object({ id: z.coerce.number().int().positive() }))
    .output(ZRevokedApiToken)
    .mutation(({ ctx, input }) => revokeApiTokenAudited(ctx.db, ctx.principal, input.id, whoOf(ctx))),
});
