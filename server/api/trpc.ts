/**
 * tRPC building blocks, in one file (CONVENTIONS.md §1): context, error formatter, procedures.
 * Roles (viewer / operator / admin) arrive with the auth work; until then every procedure is public
 * and the console is meant to listen on loopback only.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { getDb, type TDb } from "@/server/db";
import { APP_ERROR_CODES, AppError } from "@/server/errors";

export interface TContext {
  db: TDb;
}

export function createContext(): TContext {
  return { db: getDb() };
}

const t = initTRPC.context<TContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        appCode: cause instanceof AppError ? cause.code : error.code === "BAD_REQUEST" ? "INVALID_INPUT" : "INTERNAL",
        zodIssues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : undefined,
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

export const createRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors);
