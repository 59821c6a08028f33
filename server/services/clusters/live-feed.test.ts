import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { subscribeCluster, type TLiveFrame } from "@/server/services/clusters/live-feed";
import { emitEvent } from "@/server/poller/event-bus";
import { changedMembers } from "@/server/poller/poll-frontend";
import {
  forgetFrontendLive,
  getFrontendLive,
  setFrontendLive,
  type TFrontendLive,
  type TLiveMember,
} from "@/server/poller/live-state";
import type { TAdminState } from "@/server/domain/member-state";
import type { PrismaClient } from "@/generated/prisma/client";

const member = (i: number, adminState: TAdminState = "active"): TLiveMember => ({
  key: `m${i}`,
  route: `m${i}`,
  host: null,
  port: null,
  adminState,
  health: "healthy",
  elected: 0,
  busy: 0,
  errors: null,
  bytesIn: 0,
  bytesOut: 0,
  loadfactor: 1,
  lbset: 0,
  raw: {},
  rates: null,
});

/** Pulls frames from a subscription one at a time; `end` is what tRPC does when the connection closes. */
function reader(gen: AsyncGenerator<TLiveFrame>) {
  return { next: async () => (await gen.next()).value as TLiveFrame, end: () => gen.return(undefined) };
}

describe("live feed: a snapshot, then only what changed, one feed per cluster", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let clusterId = 0;
  let frontendId = 0;
  const open: Array<{ ac: AbortController; end: () => Promise<unknown> }> = [];

  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    const c = await db.cluster.create({ data: { name: "big" } });
    clusterId = c.id;
    await db.member.createMany({
      data: Array.from({ length: 100 }, (_, i) => ({ clusterId, name: `m${i}`, route: `m${i}`, host: "h" })),
    });
    frontendId = (
      await db.frontend.create({ data: { clusterId, name: "a", kind: "mod-jk", url: "http://x", balancer: "lb" } })
    ).id;
    poll(Array.from({ length: 100 }, (_, i) => member(i)));
  });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      o.ac.abort();
      await o.end();
    }
    forgetFrontendLive(frontendId);
    await cleanup();
  });

  function poll(members: TLiveMember[]): void {
    const prev = getFrontendLive(frontendId);
    const next: TFrontendLive = {
      frontendId,
      clusterId,
      up: true,
      error: null,
      errorCode: null,
      lastPollAt: new Date(),
      lastGoodAt: new Date(),
      durationMs: 2,
      members,
      stale: false,
      balancerRaw: {},
    };
    const changed = changedMembers(prev, next);
    setFrontendLive(next);
    emitEvent("frontend-polled", { clusterId, frontendId, up: true, changed });
  }

  function subscribe() {
    const ac = new AbortController();
    const r = reader(subscribeCluster(db, "big", ac.signal));
    open.push({ ac, end: r.end });
    return r;
  }

  it("sends the full view first, then the poll time alone when only counters moved, then one flipped member", async () => {
    const a = subscribe();
    const first = await a.next();
    expect(first.type).toBe("snapshot");
    if (first.type === "snapshot") expect(first.view.members).toHaveLength(100);

    poll(Array.from({ length: 100 }, (_, i) => ({ ...member(i), elected: 5 })));
    const quiet = await a.next();
    expect(quiet).toMatchObject({ type: "delta", members: [], frontends: [], polls: [{ id: frontendId }] });

    poll(Array.from({ length: 100 }, (_, i) => member(i, i === 42 ? "draining" : "active")));
    const flip = await a.next();
    expect(flip.type === "delta" && flip.members.map((m) => [m.name, m.states[0]?.adminState])).toEqual([
      ["m42", "draining"],
    ]);
  });

  it("serves every viewer from one feed, and an intent change sends only the rows it changed", async () => {
    const a = subscribe();
    const b = subscribe();
    await a.next();
    await b.next();
    await db.member.update({
      where: { clusterId_name: { clusterId, name: "m7" } },
      data: { intendedState: "draining" },
    });
    emitEvent("intent-changed", { clusterId });
    for (const r of [a, b]) {
      const d = await r.next();
      expect(d.type === "delta" && d.members.map((m) => [m.name, m.intendedState, m.drift])).toEqual([
        ["m7", "draining", true],
      ]);
    }
  });
});
