/** Starting rollouts on SQLite, no lab: bad input is refused with a clear error and nothing is created. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { createTestDb } from "@/test-support/test-db";
import { findClosedPort } from "@/test-support/fault-server";
import { startRollout } from "@/server/services/rollouts/service";
import { checkOnePerCluster, seedCluster } from "@/test-support/rollouts-one-per-cluster";
import type { TPrincipal } from "@/server/auth/principal";

const operator: TPrincipal = {
  userId: 1,
  username: "op",
  role: "operator",
  via: "token",
  csrfToken: null,
  tokenId: null,
  tokenName: "t",
};
const who = { principal: operator, ip: null };

describe("startRollout", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await seedCluster(db, await findClosedPort());
  });
  afterAll(() => cleanup());

  it("refuses bad input and creates nothing", async () => {
    const manual = { deploy: { kind: "manual" as const }, wait: { strategy: "inflight" as const } };
    await expect(startRollout(db, "c1", { ...manual, members: ["a", "zz"] }, who)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining('No member "zz"'),
    });
    await expect(startRollout(db, "c1", { ...manual, maxUnavailable: 2 }, who)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("use at most 1"),
    });
    await expect(startRollout(db, "c1", { ...manual, members: ["a", "a"] }, who)).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    await expect(startRollout(db, "c1", { deploy: { kind: "manual" } }, who)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("has no session stores"),
    });
    await expect(startRollout(db, "nope", manual, who)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(startRollout(db, "c1", { ...manual, ramp: { percents: [50, 25, 100] } }, who)).rejects.toThrow(
      /ramp percents must rise and end at 100/,
    );
    // A deploy command runs on the console's host: an operator may not set one (denied, audited).
    await expect(
      startRollout(
        db,
        "c1",
        { wait: { strategy: "inflight" }, deploy: { kind: "command", command: "touch /tmp/x" } },
        who,
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db.auditEntry.findFirst({ where: { action: "rollout.start", result: "denied" } })).not.toBeNull();
    expect(await db.rollout.count()).toBe(0);
  });

  it("one unfinished rollout per cluster, enforced by the database", async () => {
    await checkOnePerCluster(db);
  });
});
