import { expect } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { getRollout, requestAbort, startRollout } from "@/server/services/rollouts/service";
import type { TPrincipal } from "@/server/auth/principal";
import { SETUP } from "@/test-support/test-context";

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

/** A cluster whose only frontend is a closed port: a started rollout pauses at once, changing nothing. */
export async function seedCluster(db: PrismaClient, closedPort: number): Promise<void> {
  const yaml = `clusters:
  - name: c1
    members:
      - { name: a, route: a, host: 127.0.0.1, httpPort: 9001 }
      - { name: b, route: b, host: 127.0.0.1, httpPort: 9002 }
    frontends:
      - { name: f, kind: mod-jk, url: "http://127.0.0.1:${closedPort}/jkstatus", balancer: lb }
`;
  await importInventory(db, parseInventoryYaml(yaml), SETUP);
}

/** Two starts at once: the database lets exactly one through; after an abort the cluster is free again. */
export async function checkOnePerCluster(db: PrismaClient): Promise<void> {
  const settings = { wait: { strategy: "inflight" as const }, deploy: { kind: "manual" as const } };
  const results = await Promise.allSettled([
    startRollout(db, "c1", settings, who),
    startRollout(db, "c1", settings, who),
  ]);
  const ok = results.filter((r) => r.status === "fulfilled");
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  expect(ok).toHaveLength(1);
  expect(refused).toHaveLength(1);
  const id = (ok[0] as PromiseFulfilledResult<{ id: number }>).value.id;
  expect(refused[0]!.reason).toMatchObject({ code: "CONFLICT", message: expect.stringContaining(`Rollout #${id}`) });
  // The same constraint without the service: a second unfinished rollout row for c1 cannot exist.
  await expect(
    db.rollout.create({ data: { cluster: "c1", activeCluster: "c1", state: "running", settings: "{}" } }),
  ).rejects.toMatchObject({ code: "P2002" });

  // The frontend cannot be read: the rollout pauses before touching anything.
  await expect.poll(async () => (await getRollout(db, "c1", id)).state, { timeout: 15_000 }).toBe("paused");
  expect((await getRollout(db, "c1", id)).message).toContain("cannot read f");
  const aborted = await requestAbort(db, "c1", id, who);
  expect(aborted.state).toBe("aborted");
  expect(aborted.members.map((m) => m.state)).toEqual(["not-started", "not-started"]);
  const again = await startRollout(db, "c1", settings, who);
  expect(again.id).toBeGreaterThan(id);
  await expect.poll(async () => (await getRollout(db, "c1", again.id)).state, { timeout: 15_000 }).toBe("paused");
  await requestAbort(db, "c1", again.id, who);
}
