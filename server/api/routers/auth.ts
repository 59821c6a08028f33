import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createRouter, publicProcedure } from "@/server/api/trpc";
import { checkPassword } from "@/server/auth/users";
import { clearedCookies, createSession, deleteSession, sessionCookies } from "@/server/auth/sessions";
import { recordAudit } from "@/server/services/audit/audit";
import { isRole } from "@/server/auth/roles";
import { ZLoginAnswer, ZLogoutAnswer, ZMe } from "@/server/auth/auth-schema";

export const authRouter = createRouter({
  /** Who am I (null when signed out): the UI hides what the role cannot do. */
  me: publicProcedure
    .output(ZMe)
    .query(({ ctx }) =>
      ctx.principal ? { username: ctx.principal.username, role: ctx.principal.role, via: ctx.principal.via } : null,
    ),

  login: publicProcedure
    .input(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }))
    .output(ZLoginAnswer)
    .mutation(async ({ ctx, input }) => {
      const user = await checkPassword(ctx.db, input.username, input.password);
      if (!user || !isRole(user.role)) {
        await recordAudit(ctx.db, {
          principal: null,
          actor: input.username,
          ip: ctx.ip,
          action: "auth.loginFailed",
          result: "denied",
        });
        throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong user name or password" });
      }
      const session = await createSession(ctx.db, user.id, ctx.ip);
      for (const c of sessionCookies(session, ctx.secure)) ctx.resHeaders?.append("Set-Cookie", c);
      await recordAudit(ctx.db, {
        principal: null,
        actor: user.username,
        ip: ctx.ip,
        action: "auth.login",
        result: "ok",
        details: { role: user.role },
      });
      return { username: user.username, role: user.role };
    }),

  /** Ends this browser's session. Needs no CSRF token: the worst a forged logout can do is sign you out. */
  logout: publicProcedure.output(ZLogoutAnswer).mutation(async ({ ctx }) => {
    if (ctx.principal?.via === "cookie" && ctx.resHeaders) {
      for (const c of clearedCookies(ctx.secure)) ctx.resHeaders.append("Set-Cookie", c);
    }
    if (ctx.sessionCookie) await deleteSession(ctx.db, ctx.sessionCookie);
    if (ctx.principal?.via === "cookie") {
      await recordAudit(ctx.db, { principal: ctx.principal, ip: ctx.ip, action: "auth.logout", result: "ok" });
    }
    return { ok: true };
  }),
});
