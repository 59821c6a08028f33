import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContext } from "@/server/api/trpc";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  // Queries whose input can be long (a bulk impact naming 1,000 members) come as POST (components/trpc.tsx).
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    allowMethodOverride: true,
  });
}

export { handler as GET, handler as POST };
