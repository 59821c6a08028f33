import { z } from "zod";
import { adminProcedure, createRouter } from "@/server/api/trpc";
import { createApiToken, listApiTokens, revokeApiToken } from "@/server/auth/api-tokens";
import { ROLES } from "@/server/auth/roles";
import { recordAudit } from "@/server/services/audit/audit";
import { ZApiTokenRecord, ZCreatedApiToken, ZRevokedApiToken } from "@/server/auth/auth-schema";

/** API tokens for scripts. Admin only: a token is a standing credential. */
export const tokenRouter = createRouter({
  list: adminProcedure.output(z.array(ZApiTokenRecord)).query(({ ctx }) => listApiTokens(ctx.db, ctx.principal)),
  /** The secret is in this response only; it is stored as a hash. */
  create: adminProcedure
    .input(z.object({ name: z.string().trim().min(1).max(64), role: z.enum(ROLES) }))
    .output(ZCreatedApiToken)
    .mutation(async ({ ctx, input }) => {
      const token = await createApiToken(ctx.db, ctx.principal, input.name, input.role);
      await recordAudit(ctx.db, {
        principal: ctx.principal,
        ip: ctx.ip,
        action: "token.create",
        target: `token:${token.name}`,
        result: "ok",
        details: { id: token.id, role: token.role, prefix: token.prefix },
      });
      return token;
    }),
  revoke: adminProcedure
    .input(z.object({ id: z.number().int().positive() }))
    .output(ZRevokedApiToken)
    .mutation(async ({ ctx, input }) => {
      const row = await revokeApiToken(ctx.db, ctx.principal, input.id);
      await recordAudit(ctx.db, {
        principal: ctx.principal,
        ip: ctx.ip,
        action: "token.revoke",
        target: `token:${row.name}`,
        result: "ok",
        details: { id: row.id },
      });
      return { id: row.id, revokedAt: row.revokedAt };
    }),
});
