/**
 * tRPC building blocks, in one file (docs/conventions.md §1): context, error formatter, and the procedures
 * by role: public (sign-in only), viewer (read), operator (every change to a cluster), admin (users,
 * tokens, and settings that run programs, touch files or send credentials).
 */
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import superjson from "superjson";
import { ZodError } from "zod";
import { getDb, type TDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { APP_ERROR_CODES, AppError, errorIdOf, publicErrorMessage, type TAppErrorCode } from "@/server/errors";
import type { TPrincipal } from "@/server/auth/principal";
import { roleAtLeast, type TRole } from "@/server/auth/roles";
import { authenticate, readCookie } from "@/server/auth/authenticate";
import { clientAddress } from "@/server/auth/client-address";
import { CSRF_HEADER, SESSION_COOKIE } from "@/server/auth/sessions";
import { sameSecret } from "@/server/auth/secrets";
import { auditRefusal } from "@/server/services/audit/refusals";
import type { TWho } from "@/server/services/audit/audit";
import { visibleTo } from "@/server/domain/visibility";

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
  /**
   * Who the request's credentials name NOW (a fresh look-up): live streams ask before every push, so
   * a logout, revocation, demotion, disabling or expiry ends them.
   */
  reauthenticate: () => Promise<TPrincipal | null>;
}

/** Context of one HTTP request (tRPC and REST). `db` is a parameter so tests can use their own database. */
export async function createRequestContext(db: TDb, req: Request, resHeaders?: Headers): Promise<TContext> {
  const address = clientAddress(
    req.headers,
    getEnv().CLUSTERDECK_TRUSTED_PROXIES,
    new URL(req.url).protocol.replace(":", ""),
  );
  return {
    db,
    principal: await authenticate(db, req.headers),
    ip: address.ip,
    csrfHeader: req.headers.get(CSRF_HEADER),
    resHeaders: resHeaders ?? null,
    secure: address.secure,
    sessionCookie: readCookie(req.headers.get("cookie"), SESSION_COOKIE),
    reauthenticate: () => authenticate(db, req.headers),
  };
}

export function createContext({ req, resHeaders }: { req: Request; resHeaders?: Headers }): Promise<TContext> {
  return createRequestContext(getDb(), req, resHeaders);
}

/** The caller as services take it (audit, privileged settings). */
export function whoOf(ctx: TContext): TWho {
  return { principal: ctx.principal, ip: ctx.ip };
}

/** What the caller's role may see of an answer (settings' secrets, session ids: domain/visibility.ts). */
export function forCaller<T>(ctx: TContext, value: T): T {
  return visibleTo(ctx.principal?.role ?? null, value);
}

const TRPC_TO_APP: Partial<Record<TRPCError["code"], TAppErrorCode>> = {
  BAD_REQUEST: "INVALID_INPUT",
  UNAUTHORIZED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
};

/** Prisma's "record not found" (P2025) is a NOT_FOUND, whatever its own text says. */
const isPrismaNotFound = (cause: unknown) => (cause as { code?: string } | undefined)?.code === "P2025";

/**
 * `successStatus`: what REST answers on success when not 200 (201 a create, 204 a delete with no answer);
 * server/api/rest.ts sends it and openapi.ts documents it.
 */
export type TProcedureMeta = OpenApiMeta<{ successStatus?: 201 | 204 }>;

/** Field problems a service found in a document it parsed itself (an inventory file): AppError context.issues. */
function issuesOf(cause: unknown): Array<{ path: string; message: string }> | undefined {
  if (!(cause instanceof AppError) || !Array.isArray(cause.context.issues)) return undefined;
  return (cause.context.issues as Array<{ path: unknown; message: unknown }>).map((i) => ({
    path: String(i.path),
    message: String(i.message),
  }));
}

const t = initTRPC
  .context<TContext>()
  .meta<TProcedureMeta>()
  .create({
    transformer: superjson,
    /**
     * What crosses the wire: an AppError's code and message; input problems with their fields; any
     * other failure as INTERNAL with a generic message and an id the log line carries (never a
     * database's or library's own text, which can quote data).
     */
    errorFormatter({ shape, error, path }) {
      const cause = error.cause;
      let appCode: TAppErrorCode;
      let message = shape.message;
      if (cause instanceof AppError) {
        appCode = cause.code;
        if (cause.code === "INTERNAL") message = publicErrorMessage(cause);
      } else if (isPrismaNotFound(cause)) {
        appCode = "NOT_FOUND";
        message = "Not found: it may have been deleted meanwhile";
      } else if (error.code !== "INTERNAL_SERVER_ERROR") {
        // Our own refusals (sign in, role, CSRF), input that fails its schema, an unknown path.
        appCode = TRPC_TO_APP[error.code] ?? "INVALID_INPUT";
      } else {
        appCode = "INTERNAL";
        const err = cause ?? error;
        logger.error({ errorId: errorIdOf(err), path, err }, "internal error answered to a request");
        message = publicErrorMessage(err);
      }
      return {
        ...shape,
        message,
        data: {
          ...shape.data,
          stack: undefined,
          appCode,
          zodIssues:
            cause instanceof ZodError
              ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message }))
              : issuesOf(cause),
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
  if (!result.ok && isPrismaNotFound(result.error.cause)) {
    throw new TRPCError({ code: "NOT_FOUND", message: "Not found", cause: result.error.cause });
  }
  return result;
});

function requireRole(needed: TRole) {
  return t.middleware(async ({ ctx, type, path, next }) => {
    const p = ctx.principal;
    if (!p) {
      await auditRefusal(ctx.db, { principal: null, ip: ctx.ip }, path, "unauthenticated");
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "Sign in, or send an API token as 'Authorization: Bearer cdk_…'",
      });
    }
    // Browsers send the session cookie by themselves, so a cookie alone cannot prove the page meant it:
    // mutations must echo the session's CSRF token. Bearer tokens are never sent by browsers on their own.
    if (
      type === "mutation" &&
      p.via === "cookie" &&
      !(ctx.csrfHeader && p.csrfToken && sameSecret(ctx.csrfHeader, p.csrfToken))
    ) {
      await auditRefusal(ctx.db, { principal: p, ip: ctx.ip }, path, "csrf");
      throw new TRPCError({
        code: "FORBIDDEN",
        message: "Missing or wrong CSRF token (x-csrf-token header): reload the page and try again",
      });
    }
    if (!roleAtLeast(p.role, needed)) {
      await auditRefusal(ctx.db, { principal: p, ip: ctx.ip }, path, `needs ${needed}`);
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${needed} role; you are ${p.role}` });
    }
    return next({ ctx: { ...ctx, principal: p } });
  });
}

/**
 * For procedures whose answers carry session data: what the caller may see of it (viewers get masked
 * ids and no attribute values; domain/session-ids.ts). Runs on the answer after its output schema.
 */
const sessionDataForCaller = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  return result.ok ? { ...result, data: forCaller(ctx, result.data) } : result;
});

export const createRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors);
export const viewerProcedure = publicProcedure.use(requireRole("viewer"));
export const operatorProcedure = publicProcedure.use(requireRole("operator"));
export const adminProcedure = publicProcedure.use(requireRole("admin"));
/** Viewer procedures that answer session ids or contents (session.*, member.safeToStop). */
export const sessionViewerProcedure = viewerProcedure.use(sessionDataForCaller);
