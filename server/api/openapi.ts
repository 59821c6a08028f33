import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { appRouter } from "@/server/api/root";
import { APP_ERROR_CODES } from "@/server/errors";

type TProcedureDef = { _def: { meta?: { successStatus?: 201 | 204; openapi?: { method: string; path: string } } } };
type TOperation = { responses?: Record<string, unknown> };

const TAGS = [
  { name: "clusters", description: "Clusters: health, members × frontends, history, settings" },
  { name: "members", description: "Operator actions on members, verified on every frontend" },
  { name: "inventory", description: "What the console knows: clusters, members, frontends, stores; inventory as code" },
  { name: "sessions", description: "Session stores, the session index, journaled operations" },
  { name: "rollouts", description: "Rolling deploys" },
  { name: "audit", description: "The append-only audit log" },
  { name: "users", description: "Users, roles and API tokens (admin), and the caller's own account" },
];

/**
 * The REST API is the tRPC procedures that carry `meta.openapi`: one definition, two transports. This
 * document is generated from them, so it cannot drift from what /api/v1 serves. Two things the generator
 * does not know are added here, from the same sources rest.ts answers with: a procedure's success status
 * (201 / 204), and the error body's `appCode` with 404 and 409 answers.
 */
export function buildOpenApiDocument(baseUrl: string): OpenAPIObject {
  const doc = generateOpenApiDocument(appRouter, {
    title: "ClusterDeck API",
    description:
      "Status and operator actions for Tomcat clusters behind Apache balancer-manager, mod_jk, HAProxy and nginx. " +
      "Authenticate with an API token: 'Authorization: Bearer cdk_…' (create one on the Tokens page; admin only). " +
      "Member actions apply to every frontend that routes to the member, then read each frontend back: " +
      "'overall' is done only when every such frontend confirmed. Errors carry 'appCode' (NOT_FOUND, " +
      "INVALID_INPUT, CONFLICT, FORBIDDEN, …) and, for bad input, 'issues' with each field's path.",
    version: "1.0.0",
    baseUrl,
    tags: TAGS.map((t) => t.name),
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token (cdk_…)" } },
  });
  doc.tags = TAGS;
  doc.info.license = { name: "Proprietary", identifier: "LicenseRef-Proprietary" };
  addAppCodeToErrors(doc);
  for (const proc of Object.values(appRouter._def.procedures as unknown as Record<string, TProcedureDef>)) {
    const meta = proc._def.meta;
    if (!meta?.openapi) continue;
    const op = (doc.paths?.[meta.openapi.path] as Record<string, TOperation> | undefined)?.[
      meta.openapi.method.toLowerCase()
    ];
    if (!op?.responses) continue;
    const ok = op.responses["200"] as { content?: unknown } | undefined;
    if (meta.successStatus === 201) {
      op.responses["201"] = { ...ok, description: "Created" };
      delete op.responses["200"];
    } else if (meta.successStatus === 204) {
      op.responses["204"] = { description: "Done; nothing to answer" };
      delete op.responses["200"];
    }
    op.responses["404"] ??= errorResponse("Not found (the cluster, member or record named)", "NOT_FOUND");
    if (meta.openapi.method !== "GET")
      op.responses["409"] ??= errorResponse("A conflict (the guard rail, a name taken)", "CONFLICT");
  }
  return doc;
}

const ZOD_ISSUES = {
  type: "array",
  description: "Input problems (400): each names the field's path",
  items: {
    type: "object",
    properties: {
      message: { type: "string" },
      path: { type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } },
    },
    required: ["message"],
  },
};

function errorResponse(description: string, code: keyof typeof APP_ERROR_CODES) {
  return {
    description,
    content: { "application/json": { schema: { $ref: `#/components/schemas/error.${APP_ERROR_CODES[code]}` } } },
  };
}

/** trpc-to-openapi's error schemas ({message, code, issues}) plus the AppError code rest.ts adds. */
function addAppCodeToErrors(doc: OpenAPIObject): void {
  const schemas = (doc.components ??= {}).schemas ?? {};
  for (const [code, description] of [
    ["CONFLICT", "Conflict error (409)"],
    ["NOT_FOUND", "Not found error (404)"],
  ] as const) {
    schemas[`error.${code}`] ??= structuredClone(schemas["error.BAD_REQUEST"] ?? {});
    const s = schemas[`error.${code}`] as {
      title?: string;
      description?: string;
      properties?: Record<string, unknown>;
    };
    s.title = description;
    s.description = `The error information (${code})`;
    const props = s.properties ?? {};
    if ("code" in props) props.code = { type: "string", description: "The tRPC error code", example: code };
  }
  for (const [name, schema] of Object.entries(schemas)) {
    if (!name.startsWith("error.")) continue;
    const s = schema as {
      properties?: Record<string, unknown>;
      required?: string[];
      additionalProperties?: unknown;
      example?: Record<string, unknown>;
    };
    const trpcCode = name.slice("error.".length);
    const appCode = Object.entries(APP_ERROR_CODES).find(([, c]) => c === trpcCode)?.[0] ?? "INTERNAL";
    // The body also carries tRPC's error `data` (appCode again, zodIssues), and issues carry their path.
    delete s.additionalProperties;
    if (s.properties?.issues) s.properties.issues = ZOD_ISSUES;
    if (s.example) s.example = { ...s.example, appCode };
    s.properties = {
      ...s.properties,
      appCode: {
        type: "string",
        enum: Object.keys(APP_ERROR_CODES),
        description: "What went wrong, as ClusterDeck names it (match on this)",
      },
    };
    s.required = [...new Set([...(s.required ?? []), "appCode"])];
  }
  doc.components.schemas = schemas;
}
