import { z } from "zod";
import { createRouter, viewerProcedure } from "@/server/api/trpc";
import { listenEvents } from "@/server/poller/event-bus";
import { getClusterView, getOverview } from "@/server/services/clusters/cluster-view";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { ZClusterSummary, ZClusterView } from "@/server/services/clusters/cluster-view-schema";
import type { TDb } from "@/server/db";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { ZStoreSummary } from "@/server/services/sessions/sessions-schema";

// Each push is checked against the same output schema as the cluster.get / cluster.overview queries.
const clusterView = async (db: TDb, name: string) => ZClusterView.parse(await getClusterView(db, name));
const overview = async (db: TDb) => ZClusterSummary.array().parse(await getOverview(db));

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
      yield await clusterView(ctx.db, input.name);
    }
  }),
  /** The cluster's session stores (live stats, health, index counts), pushed after each store node poll (SSE). */
  stores: viewerProcedure.input(z.object({ cluster: z.string().min(1).max(64) })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const cluster = await getClusterByName(ctx.db, input.cluster);
    const view = async () =>
      ZStoreSummary.array().parse(await summarizeStores(ctx.db, input.cluster, { viewed: false }));
    yield await view();
    for await (const ev of listenEvents("store-polled", signal)) {
      if (ev.clusterId !== cluster.id) continue;
      yield await view();
    }
  }),
  /** The overview, pushed after any poll. */
  overview: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield await overview(ctx.db);
    for await (const _ev of listenEvents("frontend-polled", signal)) {
      yield await overview(ctx.db);
    }
  }),
});
