import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { appRouter } from "@/server/api/root";
import type { TContext } from "@/server/api/trpc";

/**
 * REST for scripts (/api/v1): the tRPC procedures that carry `meta.openapi`, served by trpc-to-openapi,
 * with two REST conventions that library leaves to us:
 *  - the success status a procedure declares in `meta.successStatus` (201 for a create, 204 for a
 *    delete that answers nothing); the OpenAPI document says the same (openapi.ts);
 *  - error bodies carry the AppError code at the top (`appCode`, what scripts and the CLI match on),
 *    beside trpc-to-openapi's own `code` (the tRPC code) and `issues` (each with the field's path).
 */
export const REST_ENDPOINT = "/api/v1";

type TCreateContext = (opts: { req: Request; resHeaders: Headers }) => Promise<TContext>;

interface TProcedureMeta {
  _def: { meta?: { successStatus?: number } };
}

function successStatusOf(path: string | undefined): number | undefined {
  if (!path) return undefined;
  const proc = (appRouter._def.procedures as unknown as Record<string, TProcedureMeta>)[path];
  return proc?._def.meta?.successStatus;
}

export async function handleRestRequest(req: Request, createContext: TCreateContext): Promise<Response> {
  const answer = await createOpenApiFetchHandler({
    endpoint: REST_ENDPOINT,
    router: appRouter,
    req,
    createContext,
    responseMeta: ({ paths, errors }) => (errors.length ? {} : { status: successStatusOf(paths?.[0]) ?? 200 }),
  });
  if (answer.ok) {
    // A 204 has no body (RFC 9110 §15.3.5), whatever the handler wrote.
    return answer.status === 204 ? new Response(null, { status: 204, headers: answer.headers }) : answer;
  }
  return withAppCode(answer);
}

async function withAppCode(answer: Response): Promise<Response> {
  const text = await answer.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return new Response(text, { status: answer.status, headers: answer.headers });
  }
  const data = (body.data ?? {}) as { appCode?: unknown; zodIssues?: Array<{ path: string; message: string }> };
  const appCode = typeof data.appCode === "string" ? data.appCode : fallbackAppCode(answer.status);
  // Problems a service found in a document inside the input (an inventory file) are issues too.
  const issues = body.issues ?? data.zodIssues?.map((i) => ({ message: i.message, path: i.path.split(".") }));
  return new Response(JSON.stringify({ ...body, appCode, issues }), { status: answer.status, headers: answer.headers });
}

/** Errors raised before a procedure runs (unknown route, unreadable body) have no formatted shape. */
function fallbackAppCode(status: number): string {
  if (status === 404) return "NOT_FOUND";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "FORBIDDEN";
  if (status === 409) return "CONFLICT";
  if (status >= 400 && status < 500) return "INVALID_INPUT";
  return "INTERNAL";
}
