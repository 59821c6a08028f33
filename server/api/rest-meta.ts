import type { TProcedureMeta } from "@/server/api/trpc";

type TMethod = "GET" | "POST" | "PATCH" | "DELETE";

/**
 * A procedure's REST route (trpc-to-openapi's meta): every route needs a token (`protect`), and a create
 * answers 201, a delete with nothing to say 204 (`successStatus`, see rest.ts).
 */
export function restRoute(
  method: TMethod,
  path: `/${string}`,
  tag: string,
  summary: string,
  successStatus?: 201 | 204,
): TProcedureMeta {
  return {
    openapi: { method, path, protect: true, tags: [tag], summary },
    ...(successStatus ? { successStatus } : {}),
  };
}
