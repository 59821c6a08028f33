import { generateOpenApiDocument } from "trpc-to-openapi";
import { appRouter } from "@/server/api/root";

/**
 * The REST API is the tRPC procedures that carry `meta.openapi`: one definition, two transports. This
 * document is generated from them, so it cannot drift from what /api/v1 serves.
 */
export function buildOpenApiDocument(baseUrl: string) {
  return generateOpenApiDocument(appRouter, {
    title: "ClusterDeck API",
    description:
      "Status and operator actions for Tomcat clusters behind Apache balancer-manager, mod_jk, HAProxy and nginx. " +
      "Authenticate with an API token: 'Authorization: Bearer cdk_…' (create one on the Tokens page; admin only). " +
      "Member actions apply to every frontend that routes to the member, then read each frontend back: " +
      "'overall' is done only when every such frontend confirmed.",
    version: "1.0.0",
    baseUrl,
    tags: ["clusters", "members", "sessions", "rollouts", "audit"],
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token (cdk_…)" } },
  });
}
