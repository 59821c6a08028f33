import http from "node:http";
import type { AddressInfo } from "node:net";
import { handleRestRequest } from "@/server/api/rest";
import { createRequestContext } from "@/server/api/trpc";
import type { PrismaClient } from "@/generated/prisma/client";
import { createUser } from "@/server/auth/users";
import { createApiToken } from "@/server/auth/api-tokens";

/** An admin ("boss") and two API tokens it made, one per role the CLI tests call with. */
export async function createCliTokens(db: PrismaClient): Promise<{ operator: string; viewer: string }> {
  const admin = await createUser(db, "boss", "long-enough-password", "admin");
  const owner = {
    userId: admin.id,
    username: "boss",
    role: "admin" as const,
    via: "token" as const,
    csrfToken: null,
    tokenId: 1,
    tokenName: "t",
  };
  return {
    operator: (await createApiToken(db, owner, "ops", "operator")).token,
    viewer: (await createApiToken(db, owner, "look", "viewer")).token,
  };
}

/** The console's real REST handler (/api/v1) on a loopback port, over a test database: for CLI tests. */
export async function serveRestApi(db: PrismaClient): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void answerRequest());
    const answerRequest = async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body });
      const answer = await handleRestRequest(request, ({ req: r, resHeaders }) =>
        createRequestContext(db, r, resHeaders),
      );
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    };
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
