import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

/** The session procedures' answers as the router declares them (zod output schemas): never cast. */
type TOut = inferRouterOutputs<AppRouter>;
export type TSessionListAnswer = TOut["session"]["list"];
export type TIndexStatusAnswer = TSessionListAnswer["status"];
export type TIndexedSessionRow = TSessionListAnswer["rows"][number];
export type TLocateAnswer = TOut["session"]["locate"];
export type TStoreSummaryAnswer = TOut["session"]["counts"][number];
export type TRehomingAnswer = TOut["session"]["rehoming"];
export type TOperationAnswer = TOut["operation"]["get"];
