import { z } from "zod";
import { createRouter, publicProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { signIn, signOut } from "@/server/auth/login";
import { clearedCookies, sessionCookies } from "@/server/auth/sessions";
import { changeOwnPassword, describeMe, ZNewPassword } from "@/server/auth/users";
import { restRoute } from "@/server/api/rest-meta";
import { ZLoginAnswer, ZLogoutAnswer, ZMe, ZPasswordChanged } from "@/server/auth/auth-schema";

export const authRouter = createRouter({
  /** Who am I (null when signed out): the UI hides what the role cannot do. */
  me: publicProcedure
    .meta(restRoute("GET", "/me", "users", "Who the token belongs to, and its role"))
    .input(z.object({}).optional())
    .output(ZMe)
    .query(({ ctx }) => describeMe(ctx.db, ctx.principal)),

  /** Throttled per user name and per client address (HTTP 429 past the limit, before any password check). */
  login: publicProcedure
    .input(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }))
    .output(ZLoginAnswer)
    .mutation(async ({ ctx, input }) => {
      const { username, role, session } = await signIn(ctx.db, input, whoOf(ctx));
      for (const c of sessionCookies(session, ctx.secure)) ctx.resHeaders?.append("Set-Cookie", c);
      return { username, role };
    }),

  /** Ends this browser's session. Needs no CSRF token: the worst a forged logout can do is sign you out. */
  logout: publicProcedure.output(ZLogoutAnswer).mutation(async ({ ctx }) => {
    if (ctx.principal?.via === "cookie" && ctx.resHeaders) {
      for (const c of clearedCookies(ctx.secure)) ctx.resHeaders.append("Set-Cookie", c);
    }
    await signOut(ctx.db, ctx.principal, ctx.sessionCookie, whoOf(ctx));
    return { ok: true };
  }),

  /** Everyone changes their own password (the current one is required); their other sessions end. */
  changePassword: viewerProcedure
    .meta(restRoute("POST", "/me/password", "users", "Change your own password (the current one is required)"))
    .input(z.object({ currentPassword: z.string().min(1).max(1024), newPassword: ZNewPassword }))
    .output(ZPasswordChanged)
    .mutation(({ ctx, input }) => changeOwnPassword(ctx.db, ctx.principal, input, whoOf(ctx), ctx.sessionCookie)),
});
