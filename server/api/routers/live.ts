import { z } from "zod";
import { createRouter, publicProcedure } from "@/server/api/trpc";
import { listenEvents } from "@/server/poller/event-bus";
import { getClusterView, getOverview } from "@/server/services/cluster-view";
import { getClusterByName } from "@/server/services/inventory";

// Pushes follow polls one for one (a frontend polls every ~2 s): no throttling, so the page is never
// more than one poll behind the frontend it shows.
export const liveRouter = createRouter({
  /** The cluster view, pushed after every poll of one of its frontends (SSE). */
  cluster: publicProcedure.input(z.object({ name: z.string().min(1).max(64) })).subscription(async function* ({ ctx, input, signal }) {
    const cluster = await getClusterByName(ctx.db, input.name);
    yield await getClusterView(ctx.db, input.name);
    for await (const ev of listenEvents("frontend-polled", signal)) {
      if (ev.clusterId !== cluster.id) continue;
      yield await getClusterView(ctx.db, input.name);
    }
  }),
  /** The overview, pushed after any poll. */
  overview: publicProcedure.subscription(async function* ({ ctx, signal }) {
    yield await getOverview(ctx.db);
    for await (const _ev of listenEvents("frontend-polled", signal)) {
      yield await getOverview(ctx.db);
    }
  }),
});
