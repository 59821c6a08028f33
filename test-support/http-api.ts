import superjson from "superjson";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { handleRestRequest } from "@/server/api/rest";
import { appRouter } from "@/server/api/root";
import { createRequestContext } from "@/server/api/trpc";
import { PEER_HEADER } from "@/server/auth/client-address";
import type { PrismaClient } from "@/generated/prisma/client";

/** One answer as it crosses the wire: HTTP status and body text (what a leak check searches). */
export interface TWireAnswer {
  status: number;
  text: string;
}

/** Headers for a caller: a bearer token, or a browser's cookie (and CSRF token), from loopback. */
export function callerHeaders(auth: { token?: string; cookie?: string; csrf?: string } = {}): Headers {
  const h = new Headers({ "content-type": "application/json", [PEER_HEADER]: "127.0.0.1" });
  if (auth.token) h.set("authorization", `Bearer ${auth.token}`);
  if (auth.cookie) h.set("cookie", auth.cookie);
  if (auth.csrf) h.set("x-csrf-token", auth.csrf);
  return h;
}

/** A query or mutation through the console's real tRPC HTTP handler (superjson on the wire). */
export async function callTrpc(
  db: PrismaClient,
  path: string,
  type: "query" | "mutation",
  input: unknown,
  headers: Headers,
): Promise<TWireAnswer> {
  const encoded = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
  const req = new Request(
    type === "query" ? `http://127.0.0.1/api/trpc/${path}?input=${encoded}` : `http://127.0.0.1/api/trpc/${path}`,
    {
      method: type === "query" ? "GET" : "POST",
      headers,
      body: type === "mutation" ? JSON.stringify(superjson.serialize(input)) : undefined,
    },
  );
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ req: r, resHeaders }) => createRequestContext(db, r, resHeaders),
  });
  return { status: res.status, text: await res.text() };
}

/** A request through the console's real REST handler (/api/v1). */
export async function callRest(
  db: PrismaClient,
  method: string,
  url: string,
  body: string | undefined,
  headers: Headers,
): Promise<TWireAnswer> {
  const req = new Request(`http://127.0.0.1/api/v1${url}`, { method, headers, body });
  const res = await handleRestRequest(req, ({ req: r, resHeaders }) => createRequestContext(db, r, resHeaders));
  return { status: res.status, text: await res.text() };
}
