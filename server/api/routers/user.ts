import { z } from "zod";
import { adminProcedure, createRouter, whoOf } from "@/server/api/trpc";
import {
  createUserAccount,
  listUsers,
  setUserDisabled,
  setUserPassword,
  setUserRole,
  ZNewPassword,
  ZUsername,
} from "@/server/auth/users";
import { ZUserRecord } from "@/server/auth/auth-schema";
import { ROLES } from "@/server/auth/roles";

const ZId = z.object({ id: z.number().int().positive() });

/**
 * People and their roles (admin only). Disabling, lowering a role and setting a password end that
 * user's browser sessions at once; disabling also stops their API tokens. The last enabled admin
 * cannot be disabled or demoted.
 */
export const userRouter = createRouter({
  list: adminProcedure.output(z.array(ZUserRecord)).query(({ ctx }) => listUsers(ctx.db)),
  create: adminProcedure
    .input(z.object({ username: ZUsername, password: ZNewPassword, role: z.enum(ROLES) }))
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => createUserAccount(ctx.db, input, whoOf(ctx))),
  setRole: adminProcedure
    .input(ZId.extend({ role: z.enum(ROLES) }))
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserRole(ctx.db, input.id, input.role, whoOf(ctx))),
  disable: adminProcedure
    .input(ZId)
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserDisabled(ctx.db, input.id, true, whoOf(ctx))),
  enable: adminProcedure
    .input(ZId)
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserDisabled(ctx.db, input.id, false, whoOf(ctx))),
  setPassword: adminProcedure
    .input(ZId.extend({ password: ZNewPassword }))
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserPassword(ctx.db, input.id, input.password, whoOf(ctx))),
});
