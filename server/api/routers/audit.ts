import { z } from "zod";
import { createRouter, forCaller, viewerProcedure } from "@/server/api/trpc";
import { listAudit, ZAuditEntry, ZAuditQuery } from "@/server/services/audit/audit";

export const auditRouter = createRouter({
  /** Newest first; page with beforeId = nextBeforeId. Viewers see settings' secrets hidden and session ids masked. */
  list: viewerProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/audit",
        protect: true,
        tags: ["audit"],
        summary: "Audit entries, newest first, with filters",
      },
    })
    .input(
      ZAuditQuery.extend({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        beforeId: z.coerce.number().int().positive().optional(),
      }),
    )
    .output(z.object({ entries: z.array(ZAuditEntry), nextBeforeId: z.number().int().nullable() }))
    .query(async ({ ctx, input }) => forCaller(ctx, await listAudit(ctx.db, input))),
});
