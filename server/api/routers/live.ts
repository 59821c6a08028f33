import { z } from "zod";
import { createRouter, viewerProcedure, type TContext } from "@/server/api/trpc";
import { listenEvents, onEvent } from "@/server/poller/event-bus";
import { getOverview } from "@/server/services/clusters/cluster-view";
import { subscribeCluster, wireFrame } from "@/server/services/clusters/live-feed";
import { ZClusterSummary, ZLiveFrame } from "@/server/services/clusters/cluster-view-schema";
import { roleAtLeast } from "@/server/auth/roles";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { summarizeStores } from "@/server/services/sessions/store-summary";
import { ZStoreSummary } from "@/server/services/sessions/sessions-schema";

/** The overview is a summary: after a burst of polls it is recomputed at most this often. */
const OVERVIEW_MIN_GAP_MS = 2_000;

/**
 * A stream outlives the request that opened it: before every push the caller's credentials are looked
 * up again, so a logout, a revoked or expired token, a demotion below viewer or a disabled account ends
 * the stream at the next push (the client sees it close).
 */
async function stillAllowed(ctx: TContext): Promise<boolean> {
  const now = await ctx.reauthenticate();
  return now !== null && now.userId === ctx.principal?.userId && roleAtLeast(now.role, "viewer");
}

export const liveRouter = createRouter({
  /**
   * The cluster view over SSE as a delta stream (live-feed.ts): a snapshot on connect, then only the
   * members whose state changed after each poll, and the metrics that moved every 10 s. Every frame is
   * checked against the same schemas as cluster.get.
   */
  cluster: viewerProcedure.input(z.object({ name: z.string().min(1).max(64) })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    for await (const frame of subscribeCluster(ctx.db, input.name, signal)) {
      if (frame.type !== "snapshot" && !(await stillAllowed(ctx))) return;
      yield ZLiveFrame.parse(wireFrame(frame));
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
      if (!(await stillAllowed(ctx))) return;
      yield await view();
    }
  }),
  /** The overview, pushed after polls (at most every 2 s). */
  overview: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield ZClusterSummary.array().parse(await getOverview(ctx.db));
    let pending = false;
    let wake: (() => void) | null = null;
    const off = onEvent("frontend-polled", () => {
      pending = true;
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      while (!signal?.aborted) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (signal?.aborted) break;
        pending = false;
        if (!(await stillAllowed(ctx))) return;
        yield ZClusterSummary.array().parse(await getOverview(ctx.db));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, OVERVIEW_MIN_GAP_MS);
          wake = () => {
            if (signal?.aborted) {
              clearTimeout(t);
              resolve();
            }
          };
        });
        wake = null;
      }
    } finally {
      off();
      signal?.removeEventListener("abort", onAbort);
    }
  }),
});
