/**
 * A firing alert reaches a webhook while the instance judging or delivering it is killed with SIGKILL and
 * another takes its lease over. Two console instances on the lab's PostgreSQL (real processes,
 * test-support/multi-console-process.ts), a synthetic balancer in this process whose members the test
 * makes fail (member-failing, set to fire at once), and a webhook receiver here that counts deliveries
 * by fingerprint (test-support/alert-receiver.ts). Each case kills one instance at a chosen point:
 *   1. while the delivery's POST is in flight (the receiver has not answered yet);
 *   2. after the receiver answered 200, before the sender wrote "delivered" (it is stopped, then killed);
 *   3. after the alerts owner wrote the firing alert, before it queued its notification.
 * A fresh instance replaces the killed one before the next case, so two run at each kill. First, with no
 * kill: the delivery lease handed over (a second instance joins) while the first instance's POST is in
 * flight must not make the new owner send it again.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { planLeases } from "@/server/cluster-lease/lease-plan";
import { ZReceiverInput } from "@/server/services/alerts/schema";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { createReceiver } from "@/server/services/notifications/receivers";
import { SENDING_GRACE_MS } from "@/server/services/notifications/worker";
import { startAlertReceiver, type TAlertReceiver, type TReceiverStep } from "@/test-support/alert-receiver";
import { isAlive, killAll, killNine, startInstance, waitReady, type TInstance } from "@/test-support/console-instances";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { startSyntheticFrontend, type TSyntheticFrontend } from "@/test-support/synthetic-frontend/server";
import { syntheticInventoryYaml, syntheticMembers } from "@/test-support/synthetic-frontend/members";
import { createPostgresTestDb } from "@/test-support/test-db";
import { SETUP } from "@/test-support/test-context";

/** The default lease TTL (CLUSTERDECK_LEASE_TTL_MS), which the instances run with. */
const TTL_MS = 2_400;
const CLUSTER = "alerting";
/** The receiver's timeout from the second case on (the first holds a POST for several seconds). */
const SHORT_TIMEOUT_MS = 3_000;
const members = syntheticMembers(6);

/** A first instance's name whose share, once a second joins, no longer holds `duty` (rendezvous ranks). */
function nameGivingUp(duty: string, duties: string[]): string {
  for (let i = 0; ; i++)
    if (planLeases({ instanceId: `x${i}`, held: duties, duties, liveInstances: 2 }).release.includes(duty))
      return `x${i}`;
}

describe("alert delivery while its instance is killed and another takes over", () => {
  let db: PrismaClient;
  let url: string;
  let cleanup: () => Promise<void>;
  let frontend: TSyntheticFrontend;
  let receiver: TAlertReceiver;
  const instances: TInstance[] = [];
  let duties: string[] = [];
  /** What the receiver does with each member's deliveries (the case that member belongs to). */
  const plans = new Map<string, (earlier: number) => TReceiverStep | undefined>();

  const start = (name: string) => {
    const i = startInstance(name, url, { CLUSTERDECK_INVENTORY: "", CLUSTER });
    instances.push(i);
    return i;
  };
  /** A fresh instance beside the survivor, so that the next kill again leaves one to take over. */
  const twoAlive = async () => {
    const alive = instances.filter(isAlive);
    for (let k = alive.length; k < 2; k++) alive.push(start(`i${instances.length + 1}`));
    await waitReady(alive, 60_000);
    // Shares settled (each instance at most ceil(5 / 2) duties): no lease moves by itself during the case.
    await vi.waitFor(
      async () => {
        const leases = await db.dutyLease.findMany({ where: { duty: { in: duties } } });
        expect(leases).toHaveLength(duties.length);
        for (const i of alive) {
          expect(leases.filter((l) => l.owner === i.name).length).toBeLessThanOrEqual(3);
          expect([...i.owned].sort()).toEqual(
            leases
              .filter((l) => l.owner === i.name)
              .map((l) => l.duty)
              .sort(),
          );
        }
      },
      { timeout: 15_000, interval: 100 },
    );
  };
  const ownerOf = async (duty: string) => {
    const lease = await db.dutyLease.findUniqueOrThrow({ where: { duty } });
    return instances.find((i) => i.name === lease.owner && isAlive(i)) ?? expect.fail(`${duty}: ${lease.owner}`);
  };
  const firingOf = (member: string) =>
    receiver.received.filter((r) => r.labels.member === member && r.event === "firing");
  /** The outbox rows of a member's firing alert (one per receiver and alert event, however often queued). */
  const rowsOf = async (member: string) => {
    const alerts = await db.alert.findMany({ where: { cluster: CLUSTER, rule: "member-failing" } });
    const mine = alerts.filter((a) => (JSON.parse(a.labels) as Record<string, string>).member === member);
    const rows = await db.notificationDelivery.findMany({
      where: { alertId: { in: mine.map((a) => a.id) }, event: "firing" },
    });
    return { alerts: mine, rows };
  };
  /** Once delivered: a further 1.5 s with no other delivery of it (a re-send would come within a tick). */
  const settled = async (member: string) => {
    await vi.waitFor(
      async () => {
        const { rows } = await rowsOf(member);
        expect(rows.map((r) => r.state)).toEqual(["delivered"]);
      },
      { timeout: 20_000, interval: 50 },
    );
    await new Promise((r) => setTimeout(r, 1_500));
  };

  beforeAll(async () => {
    ({ db, url, cleanup } = await createPostgresTestDb(labValue(loadLabEnv(), "LAB_POSTGRES_URL")));
    frontend = await startSyntheticFrontend("apache-balancer", "syn-alerts", members);
    await importInventory(
      db,
      parseInventoryYaml(
        syntheticInventoryYaml(CLUSTER, members, [
          {
            name: frontend.name,
            kind: frontend.kind,
            url: frontend.url,
            balancer: frontend.balancer,
            pollIntervalMs: 1_000,
          },
        ]),
      ),
      SETUP,
    );
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name: CLUSTER } });
    // Fires on the first poll that shows the member failing (the default waits 30 s).
    await db.alertRuleSetting.create({
      data: { clusterId: cluster.id, rule: "member-failing", enabled: true, forSeconds: 0, threshold: null },
    });
    receiver = await startAlertReceiver((d, earlier) => plans.get(d.labels.member ?? "")?.(earlier));
    await createReceiver(
      db,
      // A long timeout: the first case holds its POST while a second instance starts (later cases shorten it).
      ZReceiverInput.parse({ name: "hook", kind: "webhook", url: receiver.url, timeoutMs: 20_000 }),
      SETUP,
    );
    const fe = await db.frontend.findFirstOrThrow({ where: { name: frontend.name } });
    duties = ["alerts", "delivery", "history", "reapply", `frontend:${fe.id}`];
    // Alone first: it owns every duty until the second instance of the first case joins.
    const first = start(nameGivingUp("delivery", duties));
    await waitReady([first], 60_000);
    await vi.waitFor(() => expect(first.owned).toEqual([...duties].sort()), { timeout: 15_000, interval: 100 });
  }, 120_000);

  afterAll(async () => {
    await killAll(instances);
    await receiver?.close();
    await frontend?.close();
    await cleanup?.();
  });

  it("the delivery lease handed over while a POST is in flight: the new owner does not send it again", async () => {
    const member = "m0004";
    const [first] = instances as [TInstance];
    plans.set(member, (earlier) =>
      earlier === 0
        ? {
            // Held while a second instance joins and takes "delivery" from the first (its share shrinks),
            // then two more delivery ticks: the new owner must leave the first one's POST alone.
            before: async () => {
              const second = start("i2");
              await waitReady([second], 60_000);
              await vi.waitFor(async () => expect((await ownerOf("delivery")).name).toBe("i2"), {
                timeout: 15_000,
                interval: 50,
              });
              await new Promise((r) => setTimeout(r, 2_500));
            },
          }
        : undefined,
    );
    frontend.flip(member, { failing: true });
    await settled(member);
    expect(isAlive(first)).toBe(true);
    expect(firingOf(member).map((r) => r.answered)).toEqual([true]);
    const { rows } = await rowsOf(member);
    expect(rows).toMatchObject([{ state: "delivered", attempts: 1, lastStatus: 200 }]);
  }, 90_000);

  it("killed while its POST is in flight: the instance taking over sends it again once it has timed out, answered once", async () => {
    await twoAlive();
    // The new owner waits out the dead sender's POST (its timeout + SENDING_GRACE_MS): a short one here.
    await db.notificationReceiver.updateMany({ data: { timeoutMs: SHORT_TIMEOUT_MS } });
    const member = "m0001";
    let killedAt = 0;
    plans.set(member, (earlier) =>
      earlier === 0
        ? {
            before: async () => {
              killedAt = await killNine(await ownerOf("delivery"));
            },
            awaitHangUp: true,
          }
        : undefined,
    );
    frontend.flip(member, { failing: true });
    await settled(member);
    const got = firingOf(member);
    // The first POST lost its sender before any answer; the second, from the new owner, was answered.
    expect(got.map((r) => r.answered)).toEqual([false, true]);
    expect(new Set(got.map((r) => r.deliveryId)).size).toBe(1);
    expect(new Set(got.map((r) => r.startsAt)).size).toBe(1);
    expect(receiver.answeredFiring(got[0]!.fingerprint)).toHaveLength(1);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS);
    expect(got[1]!.at - killedAt).toBeLessThanOrEqual(SHORT_TIMEOUT_MS + SENDING_GRACE_MS + 2 * TTL_MS);
    const { alerts, rows } = await rowsOf(member);
    expect(alerts).toHaveLength(1);
    expect(rows).toMatchObject([{ state: "delivered", attempts: 2, lastStatus: 200 }]);
  }, 60_000);

  it("killed after the receiver's 200, before writing it down: sent again with the same delivery id, at most twice", async () => {
    await twoAlive();
    const member = "m0002";
    let sender: TInstance | undefined;
    plans.set(member, (earlier) =>
      earlier === 0
        ? {
            // Stopped before the answer is written, killed once it is: it can never record "delivered".
            before: async () => {
              sender = await ownerOf("delivery");
              process.kill(sender.child.pid!, "SIGSTOP");
            },
            after: async () => {
              await killNine(sender!);
            },
          }
        : undefined,
    );
    frontend.flip(member, { failing: true });
    await settled(member);
    const got = firingOf(member);
    expect(got[0]!.answered).toBe(true);
    expect(sender && isAlive(sender)).toBe(false);
    // At least once, so the instance taking over sends again what was "sending": a receiver counts it twice
    // unless it deduplicates by the delivery id (the same in both) or, Alertmanager, by the alert's labels.
    const answered = receiver.answeredFiring(got[0]!.fingerprint);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.length).toBeLessThanOrEqual(2);
    expect(got).toHaveLength(answered.length);
    expect(new Set(got.map((r) => r.deliveryId)).size).toBe(1);
    expect(new Set(got.map((r) => r.deliveryHeader)).size).toBe(1);
    expect(new Set(got.map((r) => r.startsAt)).size).toBe(1);
    const { alerts, rows } = await rowsOf(member);
    expect(alerts).toHaveLength(1);
    expect(rows).toMatchObject([{ state: "delivered", attempts: answered.length, lastStatus: 200 }]);
  }, 60_000);

  it("alerts owner killed after firing the alert, before queuing it: the instance taking over sends it once", async () => {
    await twoAlive();
    const member = "m0003";
    const lock = new pg.Client({ connectionString: url });
    await lock.connect();
    try {
      // Queuing reads the receivers first: with their table locked, the firing alert is written but not queued.
      await lock.query("BEGIN");
      await lock.query(`LOCK TABLE "NotificationReceiver" IN ACCESS EXCLUSIVE MODE`);
      const owner = await ownerOf("alerts");
      frontend.flip(member, { failing: true });
      await vi.waitFor(
        async () => {
          const { alerts } = await rowsOf(member);
          expect(alerts).toMatchObject([{ state: "firing", notifiedAt: null }]);
        },
        { timeout: 10_000, interval: 50 },
      );
      await new Promise((r) => setTimeout(r, 300)); // its queuing reaches the lock
      expect((await db.dutyLease.findUniqueOrThrow({ where: { duty: "alerts" } })).owner).toBe(owner.name);
      await killNine(owner);
      await lock.query("ROLLBACK");
    } finally {
      await lock.end();
    }
    await settled(member);
    const got = firingOf(member);
    expect(got.map((r) => r.answered)).toEqual([true]);
    const { alerts, rows } = await rowsOf(member);
    // Adopted by the new owner, not fired again: one alert, notified once.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.notifiedAt).not.toBeNull();
    expect(rows).toMatchObject([{ state: "delivered", attempts: 1 }]);
  }, 60_000);

  it("the takeovers re-sent none of the alerts delivered before them", async () => {
    await new Promise((r) => setTimeout(r, 1_500));
    for (const member of ["m0004", "m0001", "m0003"])
      expect(firingOf(member).filter((r) => r.answered)).toHaveLength(1);
    expect(firingOf("m0002").filter((r) => r.answered).length).toBeLessThanOrEqual(2);
    // Every delivery the receiver saw was a firing of the three members (nothing else fired, nothing resolved).
    expect(new Set(receiver.received.map((r) => `${r.event}:${r.labels.member}`))).toEqual(
      new Set(["firing:m0004", "firing:m0001", "firing:m0002", "firing:m0003"]),
    );
  });
});
