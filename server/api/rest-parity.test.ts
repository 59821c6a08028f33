/**
 * Scripts can do everything the UI does: every procedure of the router has a REST route (meta.openapi),
 * or is in REST_EXCEPTIONS with a reason. A new procedure with neither fails here, and the message says
 * what to add.
 */
import { describe, expect, it } from "vitest";
import { REST_EXCEPTIONS } from "@/server/api/rest-exceptions";
import { restProcedures, routerProcedures } from "@/test-support/procedure-table";
import { buildOpenApiDocument } from "@/server/api/openapi";

function missingRoutes(): string[] {
  const served = new Set(restProcedures().map((p) => p.path));
  return routerProcedures()
    .filter((p) => !served.has(p.path) && !(p.path in REST_EXCEPTIONS))
    .map(
      (p) =>
        `${p.path} (${p.type}) has no REST route: add .meta(restRoute("GET"|"POST"|"PATCH"|"DELETE", "/<nouns>/{param}", ` +
        `"<tag>", "<summary>"[, 201|204])) to it (server/api/rest-meta.ts; path params are input fields), ` +
        `or list it in REST_EXCEPTIONS (server/api/rest-exceptions.ts) with the reason scripts do not need it`,
    );
}

describe("REST parity", () => {
  it("every procedure has a REST route or a listed reason not to", () => {
    expect(missingRoutes()).toEqual([]);
  });

  it("the exception list names only procedures that exist and have no route", () => {
    const all = new Set(routerProcedures().map((p) => p.path));
    const served = new Set(restProcedures().map((p) => p.path));
    const stale = Object.keys(REST_EXCEPTIONS).filter((p) => !all.has(p) || served.has(p));
    expect(stale).toEqual([]);
    for (const reason of Object.values(REST_EXCEPTIONS)) expect(reason.length).toBeGreaterThan(20);
  });

  it("routes follow REST conventions: one route per method and path, nouns, no verbs as methods", () => {
    const seen = new Map<string, string>();
    for (const { path, method, template } of restProcedures()) {
      const key = `${method} ${template}`;
      expect(seen.get(key), `${key} is served by ${seen.get(key)} and ${path}`).toBeUndefined();
      seen.set(key, path);
      expect(["GET", "POST", "PATCH", "DELETE"]).toContain(method);
      expect(template, path).toMatch(/^(\/([a-z][a-z0-9-]*|\{[A-Za-z]+\}))+$/);
    }
    // Templates that differ only in parameter names are one path to OpenAPI (and to a router).
    const shapes = new Map<string, string>();
    for (const { template } of restProcedures()) {
      const shape = template.replace(/\{\w+\}/g, "{}");
      const other = shapes.get(shape);
      expect(other === undefined || other === template, `${template} and ${other} are the same path`).toBe(true);
      shapes.set(shape, template);
    }
  });

  it("creates answer 201 and deletes 204 in the document", () => {
    const doc = buildOpenApiDocument("http://127.0.0.1:3000/api/v1");
    const post = (doc.paths?.["/clusters"] as { post: { responses: Record<string, unknown> } }).post;
    expect(Object.keys(post.responses)).toContain("201");
    const del = (doc.paths?.["/clusters/{name}"] as { delete: { responses: Record<string, unknown> } }).delete;
    expect(Object.keys(del.responses)).toContain("204");
    expect(Object.keys(del.responses)).not.toContain("200");
  });
});
