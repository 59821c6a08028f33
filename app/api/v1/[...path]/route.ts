import { handleRestRequest } from "@/server/api/rest";
import { createContext } from "@/server/api/trpc";

export const dynamic = "force-dynamic";

// REST for scripts: the same procedures as tRPC, addressed by their meta.openapi paths.
function handler(req: Request) {
  return handleRestRequest(req, createContext);
}

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
