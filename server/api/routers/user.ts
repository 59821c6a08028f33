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
import { restRoute } from "@/server/api/rest-meta";
import { pageOf, ZPage } from "@/server/api/paging";

const ZId = z.object({ id: z.coerce.number().int().positive().describe("The user's id") });

/**
 * People and their roles (admin only). Disabling, lowering a role and setting a password end that
 * user's browser sessions at once; disabling also stops their API tokens. The last enabled admin
 * cannot be disabled or demoted.
 */
export const userRouter = createRouter({
  list: adminProcedure
    .meta(restRoute("GET", "/users", "users", "Users and their roles"))
    .input(ZPage.optional())
    .output(z.array(ZUserRecord))
    .query(async ({ ctx, input }) => pageOf(await listUsers(ctx.db), input)),
  create: adminProcedure
    .meta(restRoute("POST", "/users", "users", "Add a user", 201))
    .input(z.object({ username: ZUsername, password: ZNewPassword, role: z.enum(ROLES) }))
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => createUserAccount(ctx.db, input, whoOf(ctx))),
  setRole: adminProcedure
    .meta(restRoute("PATCH", "/users/{id}/role", "users", "Change a user's role (lowering it ends their sessions)"))
    .input(ZId.extend({ role: z.enum(ROLES) }))
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserRole(ctx.db, input.id, input.role, whoOf(ctx))),
  disable: adminProcedure
    .meta(restRoute("POST", "/users/{id}/disable", "users", "Disable a user: their sessions end, their tokens stop"))
    .input(ZId)
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserDisabled(ctx.db, input.id, true, whoOf(ctx))),
  enable: adminProcedure
    .meta(restRoute("POST", "/users/{id}/enable", "users", "Enable a disabled user"))
    .input(ZId)
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserDisabled(ctx.db, input.id, false, whoOf(ctx))),
  setPassword: adminProcedure
    .meta(restRoute("POST", "/users/{id}/password", "users", "Set a user's password (their sessions end)"))
    .input(ZId.extend({ password: ZNewPassword }))
    .output(ZUserRecord)
    .mutation(({ ctx, input }) => setUserPassword(ctx.db, input.id, input.password, whoOf(ctx))),
});
