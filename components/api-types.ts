/**
 * The API's answers and errors as the client sees them, inferred from the router: a component that reads
 * a field the procedure's output schema does not declare fails the typecheck, so no answer is cast.
 */
import type { TRPCClientErrorLike } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

export type TRouterOutputs = inferRouterOutputs<AppRouter>;
export type TRouterInputs = inferRouterInputs<AppRouter>;

/** Any failed query, mutation or subscription (data is absent when the request never got an answer). */
export type TApiError = TRPCClientErrorLike<AppRouter>;
