import { z } from "zod";
import { createRouter, viewerProcedure, type TContext } from "@/server/api/trpc";
import { listenEvents } from "@/server/poller/event-bus";
import { getClusterView, getOverview } from "@/server/services/clusters/cluster-view";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { ZClusterSummary, ZClusterView } from "@/server/services/clusters/cluster-view-schema";
import { roleAtLeast } from "@/server/auth/roles";
import type { TDb } from "@/server/db";

// Each push is checked against the same output schema as the cluster.get / cluster.overview queries.
const clusterView = async (db: TDb, name: string) => ZClusterView.parse(await getClusterView(db, name));
const overview = async (db: TDb) => ZClusterSummary.array().parse(await getOverview(db));

/**
 * A stream outlives the request that opened it: before every push the caller's credentials are looked
 * up again, so a logout, a revoked or expired token, a demotion below viewer or a disabled account ends
 * the stream at the next push (the client sees it close).
 */
async function stillAllowed(ctx: TContext): Promise<boolean> {
  const now = await ctx.reauthenticate();
  return now !== null && now.userId === ctx.principal?.userId && roleAtLeast(now.role, "viewer");
}

// Pushes follow polls one for one (a frontend polls every ~2 s): no throttling, so the page is never
// more than one poll behind the frontend it shows.
export const liveRouter = createRouter({
  /** The cluster view, pushed after every poll of one of its frontends (SSE). */
  cluster: viewerProcedure.input(z.object({ name: z.string().min(1).max(64) })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const cluster = await getClusterByName(ctx.db, input.name);
    yield await clusterView(ctx.db, input.name);
    for await (const ev of listenEvents("frontend-polled", signal)) {
      if (ev.clusterId !== cluster.id) continue;
      if (!(await stillAllowed(ctx))) return;
      yield await clusterView(ctx.db, input.name);
    }
  }),
  /** The overview, pushed after any poll. */
  overview: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield await overview(ctx.db);
    for await (const _ev of listenEvents("frontend-polled", signal)) {
      if (!(await stillAllowed(ctx))) return;
      yield await overview(ctx.db);
    }
  }),
});
