import { createCallerFactory, createRouter } from "@/server/api/trpc";
import { clusterRouter } from "@/server/api/routers/cluster";
import { memberRouter } from "@/server/api/routers/member";
import { frontendRouter } from "@/server/api/routers/frontend";
import { liveRouter } from "@/server/api/routers/live";
import { authRouter } from "@/server/api/routers/auth";
import { tokenRouter } from "@/server/api/routers/token";
import { userRouter } from "@/server/api/routers/user";
import { auditRouter } from "@/server/api/routers/audit";
import { sessionRouter } from "@/server/api/routers/session";
import { operationRouter, storeRouter } from "@/server/api/routers/store";
import { rolloutRouter } from "@/server/api/routers/rollout";
import { alertRouter } from "@/server/api/routers/alert";
import { inventoryRouter } from "@/server/api/routers/inventory";

export const appRouter = createRouter({
  cluster: clusterRouter,
  member: memberRouter,
  frontend: frontendRouter,
  live: liveRouter,
  auth: authRouter,
  token: tokenRouter,
  user: userRouter,
  audit: auditRouter,
  session: sessionRouter,
  store: storeRouter,
  operation: operationRouter,
  rollout: rolloutRouter,
  alert: alertRouter,
  inventory: inventoryRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
