import { z } from "zod";
import { pageOf, ZPage } from "@/server/api/paging";
import { restRoute } from "@/server/api/rest-meta";
import { createRouter, forCaller, operatorProcedure, viewerProcedure, whoOf } from "@/server/api/trpc";
import { ZRolloutRef, ZRolloutSummary, ZRolloutView, ZStartRolloutInput } from "@/server/services/rollouts/schema";
import {
  continueRollout,
  getRollout,
  listRollouts,
  requestAbort,
  requestPause,
  resumeRollout,
  startRollout,
} from "@/server/services/rollouts/service";

const meta = (method: "GET" | "POST", path: `/${string}`, summary: string) =>
  restRoute(method, path, "rollouts", summary);

/** pause / resume / abort / continue: the same shape, one service call each. */
function control(verb: "pause" | "resume" | "abort" | "continue", summary: string, run: typeof requestPause) {
  return operatorProcedure
    .meta(meta("POST", `/clusters/{cluster}/rollouts/{id}/${verb}`, summary))
    .input(ZRolloutRef)
    .output(ZRolloutView)
    .mutation(async ({ ctx, input }) => forCaller(ctx, await run(ctx.db, input.cluster, input.id, whoOf(ctx))));
}

/**
 * Rolling deploys. Starting one with a deploy command or a webhook needs the admin role (the service
 * checks: the command runs on the console's host, the webhook gets the console's requests); with a
 * manual deploy an operator may start it. Control verbs answer the view as the caller may see it.
 * Live progress: poll `get` (the page does, every second); every transition is in the database.
 */
export const rolloutRouter = createRouter({
  start: operatorProcedure
    .meta(
      meta(
        "POST",
        "/clusters/{cluster}/rollouts",
        "Start a rolling deploy: drain, wait, stop, deploy, health gate, weight ramp, member by member",
      ),
    )
    .input(ZStartRolloutInput)
    .output(ZRolloutView)
    .mutation(({ ctx, input }) => {
      const { cluster, ...settings } = input;
      return startRollout(ctx.db, cluster, settings, whoOf(ctx)).then((view) => forCaller(ctx, view));
    }),
  list: viewerProcedure
    .meta(meta("GET", "/clusters/{cluster}/rollouts", "The cluster's latest rollouts, newest first"))
    .input(ZPage.extend({ cluster: z.string().min(1).max(64) }))
    .output(z.array(ZRolloutSummary))
    // The output schema keeps the summary fields only.
    .query(async ({ ctx, input }) => forCaller(ctx, pageOf(await listRollouts(ctx.db, input.cluster), input))),
  get: viewerProcedure
    .meta(
      meta(
        "GET",
        "/clusters/{cluster}/rollouts/{id}",
        "One rollout: members' progress, the current step, the timeline with per-frontend results",
      ),
    )
    .input(ZRolloutRef)
    .output(ZRolloutView)
    // Viewers: a deploy command's arguments, a webhook's query string and deploy output hidden (redact.ts).
    .query(async ({ ctx, input }) => forCaller(ctx, await getRollout(ctx.db, input.cluster, input.id))),
  pause: control("pause", "Pause at the next safe point (a running deploy command finishes first)", requestPause),
  resume: control("resume", "Resume a paused rollout: the current phase runs again", resumeRollout),
  abort: control("abort", "Abort: each member is left in the documented state for its phase", requestAbort),
  continue: control(
    "continue",
    "End a wait or a manual deploy now, or count a failed/interrupted deploy as done",
    continueRollout,
  ),
});
