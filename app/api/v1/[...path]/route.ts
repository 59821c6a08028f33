import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";

export const dynamic = "force-dynamic";

// REST for scripts: the same procedures as tRPC, addressed by their meta.openapi paths.
function handler(req: Request) {
  return createOpenApiFetchHandler({ endpoint: "/api/v1", router: appRouter, createContext, req });
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
