import { buildOpenApiDocument } from "@/server/api/openapi";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  const origin = new URL(req.url).origin;
  return Response.json(buildOpenApiDocument(`${origin}/api/v1`));
}
