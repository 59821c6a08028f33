/** One unfinished rollout per cluster on PostgreSQL (the lab's): the same unique index as on SQLite. */
import { afterAll, beforeAll, describe, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createPostgresTestDb } from "@/test-support/test-db";
import { findClosedPort } from "@/test-support/fault-server";
import { checkOnePerCluster, seedCluster } from "@/test-support/rollouts-one-per-cluster";
import type { PrismaClient } from "@/generated/prisma/client";

describe("rollouts on PostgreSQL", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    await seedCluster(db, await findClosedPort());
  });
  afterAll(() => cleanup?.());

  it("two starts at once: one rollout, the other refused with CONFLICT; abort frees the cluster", async () => {
    await checkOnePerCluster(db);
  });
});
