/**
 * Every answer is typed (docs/conventions.md §4): every procedure declares an output schema that says
 * something, and the REST document generated from them describes every response body. A procedure
 * added without `.output()`, or with `z.unknown()`, fails here.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter, createCaller } from "@/server/api/root";
import { createTestDb } from "@/test-support/test-db";
import { buildOpenApiDocument } from "@/server/api/openapi";

/** A JSON schema that constrains nothing: {} or only a description. */
function saysNothing(schema: unknown): boolean {
  if (schema === undefined || schema === null || schema === true) return true;
  if (typeof schema !== "object") return false;
  const keys = Object.keys(schema).filter((k) => !["description", "title", "$schema"].includes(k));
  return keys.length === 0;
}

describe("output schemas", () => {
  // At run time `_def.procedures` is flat ("cluster.get"); the output parser is private to tRPC and read
  // the way trpc-to-openapi reads it.
  const flat = appRouter._def.procedures as unknown as Record<string, { _def: Record<string, unknown> }>;
  const procedures = Object.entries(flat);

  it("the router has procedures to check", () => {
    expect(procedures.length).toBeGreaterThan(40);
  });

  it("every query and mutation declares an output schema that describes something", () => {
    const untyped: string[] = [];
    for (const [path, proc] of procedures) {
      if (proc._def.type === "subscription") continue; // live.*: each push is parsed with the query's schema
      const output = proc._def.output;
      if (!(output instanceof z.ZodType)) {
        untyped.push(`${path}: no .output()`);
        continue;
      }
      if (output instanceof z.ZodUnknown || output instanceof z.ZodAny) untyped.push(`${path}: .output(z.unknown())`);
    }
    expect(untyped).toEqual([]);
  });

  it("the OpenAPI document describes every operation's response body", () => {
    const doc = buildOpenApiDocument("http://127.0.0.1:3000/api/v1");
    const operations: string[] = [];
    const empty: string[] = [];
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, { responses?: Record<string, unknown> }>)) {
        operations.push(`${method.toUpperCase()} ${path}`);
        if (op.responses?.["204"]) continue; // a delete that answers nothing, declared as such (z.void())
        const ok = (op.responses?.["200"] ?? op.responses?.["201"]) as
          { content?: Record<string, { schema?: unknown }> } | undefined;
        const schema = ok?.content?.["application/json"]?.schema;
        if (saysNothing(schema)) empty.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(operations.length).toBeGreaterThan(20);
    expect(empty).toEqual([]);
  });

  it("recognizes a schema that says nothing", () => {
    expect(saysNothing({})).toBe(true);
    expect(saysNothing({ description: "anything" })).toBe(true);
    expect(saysNothing(undefined)).toBe(true);
    expect(saysNothing({ type: "object", properties: {} })).toBe(false);
    expect(saysNothing({ $ref: "#/components/schemas/X" })).toBe(false);
  });
});

describe("answers carry only what their schema declares", () => {
  it("a frontend's password is not sent back by create, update or the inventory read", async () => {
    const { db, cleanup } = await createTestDb();
    try {
      const caller = createCaller({
        db,
        principal: {
          userId: 1,
          username: "op",
          role: "operator",
          via: "token",
          csrfToken: null,
          tokenId: 1,
          tokenName: "t",
        },
        ip: null,
        csrfHeader: null,
        resHeaders: new Headers(),
        secure: false,
        sessionCookie: null,
        reauthenticate: () => Promise.resolve(null),
      });
      const cluster = await caller.cluster.create({ name: "outputs", description: "" });
      const data = {
        name: "jk",
        kind: "mod-jk" as const,
        url: "http://127.0.0.1:1/jkstatus",
        balancer: "lb",
        username: "status",
        password: "s3cret-status-password",
      };
      const created = await caller.frontend.create({ clusterId: cluster.id, data });
      const updated = await caller.frontend.update({ id: created.id, data: { ...data, password: null } });
      const inventory = await caller.cluster.inventory({ name: "outputs" });
      for (const answer of [created, updated, inventory])
        expect(JSON.stringify(answer)).not.toContain("s3cret-status-password");
      expect(created).not.toHaveProperty("password");
      expect(inventory.frontends[0]?.hasPassword).toBe(true); // kept: update without a password keeps the stored one
      const stored = await db.frontend.findUniqueOrThrow({ where: { id: created.id } });
      expect(stored.password).toBe("s3cret-status-password");
    } finally {
      await cleanup();
    }
  });
});
