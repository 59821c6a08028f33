import { createCallerFactory, createRouter } from "@/server/api/trpc";
import { clusterRouter } from "@/server/api/routers/cluster";
import { memberRouter } from "@/server/api/routers/member";
import { frontendRouter } from "@/server/api/routers/frontend";
import { liveRouter } from "@/server/api/routers/live";

export const appRouter = createRouter({
  cluster: clusterRouter,
  member: memberRouter,
  frontend: frontendRouter,
  live: liveRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
