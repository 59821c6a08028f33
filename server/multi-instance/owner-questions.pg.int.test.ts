/**
 * What only a duty's owner knows, answered by every instance: three console instances on the lab's
 * PostgreSQL (real processes, test-support/multi-console-process.ts). Only the `alerts` owner judges the
 * rules, so only it holds the alerts still pending; only the `delivery` owner re-sends the firing ones to
 * Alertmanager (the lab's), so only it knows how the last re-send went. A viewer asking any instance must
 * see both as the owners do (server/fanout/ask-owner.ts). Start the lab first: bash e2e/lab/lab.sh up
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { ZReceiverInput } from "@/server/services/alerts/schema";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { createReceiver } from "@/server/services/notifications/receivers";
import {
  getEverywhere,
  killAll,
  startInstance,
  waitFor,
  waitReady,
  type TInstance,
} from "@/test-support/console-instances";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { createCliTokens } from "@/test-support/rest-server";
import { startSyntheticFrontend, type TSyntheticFrontend } from "@/test-support/synthetic-frontend/server";
import { syntheticInventoryYaml, syntheticMembers } from "@/test-support/synthetic-frontend/members";
import { createPostgresTestDb } from "@/test-support/test-db";
import { SETUP } from "@/test-support/test-context";

const members = syntheticMembers(4);
/** Its member-failing rule waits 10 minutes: the alert stays pending through the test. */
const PENDING = "pending-cluster";
/** Its rule fires at once: a firing alert for the Alertmanager receiver to re-send. */
const FIRING = "firing-cluster";
const MEMBER = "m0002";

type TAlert = { fingerprint: string; state: string; labels: Record<string, string>; firesAt: string | null };
type TReceiver = { name: string; lastResend: { at: string; ok: boolean; alerts: number } | null };

describe("several instances: pending alerts and re-send status on every instance", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let viewer: string;
  const frontends: TSyntheticFrontend[] = [];
  const instances: TInstance[] = [];

  beforeAll(async () => {
    let url: string;
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    viewer = (await createCliTokens(db)).viewer;
    for (const [cluster, forSeconds] of [
      [PENDING, 600],
      [FIRING, 0],
    ] as const) {
      const fe = await startSyntheticFrontend("apache-balancer", `syn-${cluster}`, members);
      frontends.push(fe);
      const frontend = { name: fe.name, kind: fe.kind, url: fe.url, balancer: fe.balancer, pollIntervalMs: 1_000 };
      await importInventory(db, parseInventoryYaml(syntheticInventoryYaml(cluster, members, [frontend])), SETUP);
      const { id } = await db.cluster.findUniqueOrThrow({ where: { name: cluster } });
      await db.alertRuleSetting.create({
        data: { clusterId: id, rule: "member-failing", enabled: true, forSeconds, threshold: null },
      });
    }
    const alertmanager = labValue(loadLabEnv(), "LAB_ALERTMANAGER_URL");
    await createReceiver(
      db,
      ZReceiverInput.parse({ name: "lab-am", kind: "alertmanager", url: alertmanager, resendSeconds: 10 }),
      SETUP,
    );
    // One after the other, each once the shares have settled: the duties then land where the ranks of
    // these names put them (alerts and delivery on two instances, checked below), not where a race would.
    const spread = () => {
      const owned = instances.flatMap((i) => i.owned);
      return (
        instances.every((i) => i.owned.length > 0 && i.owned.length <= Math.ceil(6 / instances.length)) &&
        new Set(owned).size === owned.length &&
        owned.length === 6 // alerts, delivery, history, reapply and the two frontends
      );
    };
    for (const name of ["a", "b", "c"]) {
      instances.push(startInstance(name, url, { CLUSTERDECK_INVENTORY: "", CLUSTER: PENDING }));
      await waitReady(instances, 90_000);
      await waitFor(`the duties spread over ${instances.length} instance(s)`, spread, 30_000);
    }
  }, 180_000);

  afterAll(async () => {
    await killAll(instances);
    for (const fe of frontends) await fe.close();
    await cleanup?.();
  });

  it("a pending alert, and the last re-send to Alertmanager, read alike on the owners and on the others", async () => {
    for (const fe of frontends) fe.flip(MEMBER, { failing: true });
    const alertsOwner = instances.find((i) => i.owned.includes("alerts"))!;
    const deliveryOwner = instances.find((i) => i.owned.includes("delivery"))!;
    // With these names and duties the ranks put them on two instances (c and b): the delivery owner must
    // ask the alerts owner which alerts are firing before it re-sends them.
    expect(deliveryOwner.name).not.toBe(alertsOwner.name);

    let pendings = new Map<string, TAlert>();
    await vi.waitFor(
      async () => {
        const answers = await getEverywhere(instances, viewer, `/alerts?cluster=${PENDING}`);
        pendings = new Map();
        for (const [name, a] of answers) {
          expect(a.status, `${name}: ${JSON.stringify(a.body)}`).toBe(200);
          const mine = (a.body as { alerts: TAlert[] }).alerts.find((x) => x.labels.member === MEMBER);
          if (mine) pendings.set(name, mine);
        }
        expect([...pendings.keys()].sort()).toEqual(["a", "b", "c"]);
      },
      { timeout: 30_000, interval: 500 },
    );
    const owned = pendings.get(alertsOwner.name)!;
    expect(owned.state).toBe("pending");
    expect(owned.firesAt).not.toBeNull();
    // The same alert everywhere: its fingerprint and the moment it will fire are the owner's.
    for (const p of pendings.values()) expect(p).toEqual(owned);

    let resends = new Map<string, TReceiver["lastResend"]>();
    await vi.waitFor(
      async () => {
        const answers = await getEverywhere(instances, viewer, "/receivers");
        resends = new Map();
        for (const [name, a] of answers) {
          expect(a.status, `${name}: ${JSON.stringify(a.body)}`).toBe(200);
          const am = (a.body as TReceiver[]).find((r) => r.name === "lab-am")!;
          if (am.lastResend) resends.set(name, am.lastResend);
        }
        expect([...resends.keys()].sort()).toEqual(["a", "b", "c"]);
        // Re-sent every 10 s: the three answers, asked at once, name the same re-send.
        expect(new Set([...resends.values()].map((r) => r!.at)).size).toBe(1);
      },
      { timeout: 40_000, interval: 500 },
    );
    const last = resends.get(deliveryOwner.name)!;
    expect(last).toMatchObject({ ok: true, alerts: 1 });
  }, 120_000);
});
