import { z } from "zod";
import { adminProcedure, createRouter } from "@/server/api/trpc";
import { createUser } from "@/server/auth/users";
import { ROLES } from "@/server/auth/roles";
import { recordAudit } from "@/server/services/audit/audit";
import { ZUserRecord } from "@/server/auth/auth-schema";

export const userRouter = createRouter({
  list: adminProcedure.output(z.array(ZUserRecord)).query(({ ctx }) =>
    ctx.db.user.findMany({
      orderBy: { username: "asc" },
      select: { id: true, username: true, role: true, disabled: true, createdAt: true },
    }),
  ),
  create: adminProcedure
    .input(
      z.object({
        username: z
          .string()
          .trim()
          .min(1)
          .max(64)
          .regex(/^[A-Za-z0-9._@-]+$/, "letters, digits and . _ @ - only"),
        password: z.string().min(10, "at least 10 characters").max(1024),
        role: z.enum(ROLES),
      }),
    )
    .output(ZUserRecord)
    .mutation(async ({ ctx, input }) => {
      const user = await createUser(ctx.db, input.username, input.password, input.role);
      await recordAudit(ctx.db, {
        principal: ctx.principal,
        ip: ctx.ip,
        action: "user.create",
        target: `user:${user.username}`,
        result: "ok",
        details: { role: user.role },
      });
      return user;
    }),
});
