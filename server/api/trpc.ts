/**
 * tRPC building blocks, in one file (docs/conventions.md §1): context, error formatter, and the procedures
 * by role: public (login only), viewer (read), operator (every change to a cluster), admin (users).
 */
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import superjson from "superjson";
import { ZodError } from "zod";
import { getDb, type TDb } from "@/server/db";
import { APP_ERROR_CODES, AppError } from "@/server/errors";
import type { TPrincipal } from "@/server/auth/principal";
import { roleAtLeast, type TRole } from "@/server/auth/roles";
import { authenticate, clientIp, readCookie } from "@/server/auth/authenticate";
import { CSRF_HEADER, SESSION_COOKIE } from "@/server/auth/sessions";
import { sameSecret } from "@/server/auth/secrets";

export interface TContext {
  db: TDb;
  principal: TPrincipal | null;
  ip: string | null;
  /** The x-csrf-token header of the request (cookie-authenticated mutations must carry it). */
  csrfHeader: string | null;
  /** Response headers (Set-Cookie on login/logout). */
  resHeaders: Headers | null;
  /** Served over https: cookies get the Secure flag. */
  secure: boolean;
  /** The raw session cookie, so logout can end that session. */
  sessionCookie: string | null;
}

/** Context of one HTTP request (tRPC and REST). `db` is a parameter so tests can use their own database. */
export async function createRequestContext(db: TDb, req: Request, resHeaders?: Headers): Promise<TContext> {
  const proto = req.headers.get("x-forwarded-proto") ?? new URL(req.url).protocol.replace(":", "");
  return {
    db,
    principal: await authenticate(db, req.headers),
    ip: clientIp(req.headers),
    csrfHeader: req.headers.get(CSRF_HEADER),
    resHeaders: resHeaders ?? null,
    secure: proto === "https",
    sessionCookie: readCookie(req.headers.get("cookie"), SESSION_COOKIE),
  };
}

export function createContext({ req, resHeaders }: { req: Request; resHeaders?: Headers }): Promise<TContext> {
  return createRequestContext(getDb(), req, resHeaders);
}

const t = initTRPC
  .context<TContext>()
  .meta<OpenApiMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      return {
        ...shape,
        data: {
          ...shape.data,
          stack: undefined,
          appCode:
            cause instanceof AppError
              ? cause.code
              : error.code === "BAD_REQUEST"
                ? "INVALID_INPUT"
                : error.code === "UNAUTHORIZED"
                  ? "UNAUTHENTICATED"
                  : error.code === "FORBIDDEN"
                    ? "FORBIDDEN"
                    : "INTERNAL",
          zodIssues:
            cause instanceof ZodError
              ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message }))
              : undefined,
        },
      };
    },
  });

/** Turns AppError thrown by services into the matching tRPC error, keeping the message. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: APP_ERROR_CODES[cause.code], message: cause.message, cause });
  }
  return result;
});

function requireRole(needed: TRole) {
  return t.middleware(({ ctx, type, next }) => {
    const p = ctx.principal;
    if (!p)
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "Sign in, or send an API token as 'Authorization: Bearer cdk_…'",
      });
    // Browsers send the session cookie by themselves, so a cookie alone cannot prove the page meant it:
    // mutations must echo the session's CSRF token. Bearer tokens are never sent by browsers on their own.
    if (
      type === "mutation" &&
      p.via === "cookie" &&
      !(ctx.csrfHeader && p.csrfToken && sameSecret(ctx.csrfHeader, p.csrfToken))
    ) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: "Missing or wrong CSRF token (x-csrf-token header): reload the page and try again",
      });
    }
    if (!roleAtLeast(p.role, needed))
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${needed} role; you are ${p.role}` });
    return next({ ctx: { ...ctx, principal: p } });
  });
}

export const createRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors);
export const viewerProcedure = publicProcedure.use(requireRole("viewer"));
export const operatorProcedure = publicProcedure.use(requireRole("operator"));
export const adminProcedure = publicProcedure.use(requireRole("admin"));
