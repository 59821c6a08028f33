import { describe, expect, it } from "vitest";
import { ClusterViewModel, type TClusterInventory } from "@/server/services/clusters/cluster-view";
import { changedMembers } from "@/server/poller/poll-frontend";
import type { TFrontendLive, TLiveMember } from "@/server/poller/live-state";
import type { TAdminState, THealth } from "@/server/domain/member-state";

const ADMIN: TAdminState[] = ["active", "draining", "stopped"];
const HEALTH: THealth[] = ["healthy", "failing", "recovering"];

function inventory(n: number, frontendKinds: string[], intended: (i: number) => TAdminState = () => "active") {
  return {
    id: 1,
    name: "big",
    description: "",
    autoReapply: false,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    members: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      clusterId: 1,
      name: `m${String(i).padStart(4, "0")}`,
      route: `m${String(i).padStart(4, "0")}`,
      host: "127.1.0.1",
      httpPort: 8080 + i,
      ajpPort: null,
      intendedState: intended(i),
      intendedWeight: null,
      intendedAt: null,
      intendedBy: null,
    })),
    frontends: frontendKinds.map((kind, i) => ({
      id: 100 + i,
      clusterId: 1,
      name: `f${i}`,
      kind,
      url: "http://x",
      balancer: "b",
      username: null,
      password: null,
      pollIntervalMs: 2000,
      timeoutMs: 1500,
      enabled: true,
      options: "{}",
    })),
  } as unknown as TClusterInventory;
}

function member(i: number, adminState: TAdminState, health: THealth, elected = 0): TLiveMember {
  const route = `m${String(i).padStart(4, "0")}`;
  return {
    key: `k-${route}`,
    route,
    host: "127.1.0.1",
    port: 8080 + i,
    adminState,
    health,
    elected,
    busy: 0,
    errors: null,
    bytesIn: 0,
    bytesOut: 0,
    loadfactor: 1,
    lbset: 0,
    raw: {},
    rates: { requestsPerSec: elected / 2, errorsPerSec: null, bytesPerSec: 0 },
  };
}

function live(frontendId: number, members: TLiveMember[], up = true): TFrontendLive {
  return {
    frontendId,
    clusterId: 1,
    up,
    error: up ? null : "boom",
    errorCode: up ? null : "TARGET_TIMEOUT",
    lastPollAt: new Date(),
    lastGoodAt: new Date(),
    durationMs: 1,
    members,
    stale: !up,
    balancerRaw: {},
  };
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** A view without metrics (which the incremental path refreshes only on demand). */
const stateOnly = (m: { states: Array<{ busy: number; elected: number } | null> }) => ({
  ...m,
  states: m.states.map((s) =>
    s ? { ...s, busy: 0, elected: 0, requestsPerSec: 0, bytesPerSec: 0, errorsPerSec: 0 } : s,
  ),
});

describe("cluster view model: after a poll only the members that changed are rebuilt and sent", () => {
  it("matches a full rebuild after every one of 60 random polls of 300 members on 3 frontends", () => {
    const inv = inventory(300, ["apache-balancer", "mod-jk", "haproxy"], (i) => (i % 9 === 0 ? "draining" : "active"));
    const table = new Map<number, TFrontendLive>();
    const liveOf = (id: number) => table.get(id);
    const random = rng(7);
    for (const f of inv.frontends)
      table.set(
        f.id,
        live(
          f.id,
          Array.from({ length: 300 }, (_, i) => member(i, "active", "healthy")),
        ),
      );
    const model = new ClusterViewModel(inv, liveOf);
    for (let round = 0; round < 60; round++) {
      const f = inv.frontends[Math.floor(random() * inv.frontends.length)]!;
      const prev = table.get(f.id)!;
      const flips = new Map<number, [TAdminState, THealth]>();
      for (let k = 0; k < 3; k++)
        flips.set(Math.floor(random() * 300), [ADMIN[Math.floor(random() * 3)]!, HEALTH[Math.floor(random() * 3)]!]);
      // Every member's counters move; a few change state; now and then one disappears or the frontend fails.
      let members = prev.members.map((m, i) => {
        const flip = flips.get(i);
        return flip
          ? { ...m, adminState: flip[0], health: flip[1], elected: m.elected + 1 }
          : { ...m, elected: m.elected + 1 };
      });
      if (round % 17 === 5) members = members.slice(0, -1);
      if (round % 13 === 4 && members.length < 300) members.push(member(299, "active", "healthy"));
      const next = live(f.id, members, round % 23 !== 11);
      if (!next.up) next.members = prev.members.map((m) => ({ ...m, rates: null }));
      const changed = changedMembers(prev, next);
      table.set(f.id, next);
      const before = new Map(model.view().members.map((m) => [m.key, JSON.stringify(stateOnly(m))]));
      const delta = model.applyPoll(f.id, changed);

      const full = new ClusterViewModel(inv, liveOf).view();
      expect(model.view().members.map(stateOnly)).toEqual(full.members.map(stateOnly));
      expect(model.view().health).toBe(full.health);
      // The delta holds exactly the rows that differ, and nothing else.
      const differing = full.members
        .filter((m) => before.get(m.key) !== JSON.stringify(stateOnly(m)))
        .map((m) => m.key);
      expect(delta.members.map((m) => m.key).sort()).toEqual(differing.sort());
      expect([...delta.frontends, ...delta.polls].map((x) => x.id)).toEqual([f.id]);
    }
  });

  it("a poll where only counters moved sends no member; a flip sends that one member", () => {
    const inv = inventory(1000, ["apache-balancer", "mod-jk", "haproxy", "apache-balancer"]);
    const table = new Map(
      inv.frontends.map((f) => [
        f.id,
        live(
          f.id,
          Array.from({ length: 1000 }, (_, i) => member(i, "active", "healthy")),
        ),
      ]),
    );
    const model = new ClusterViewModel(inv, (id) => table.get(id));
    const f = inv.frontends[1]!;
    const prev = table.get(f.id)!;
    const rates = { requestsPerSec: 2.5, errorsPerSec: null, bytesPerSec: 0 };
    const counters = live(
      f.id,
      prev.members.map((m) => ({ ...m, elected: m.elected + 5, rates })),
    );
    expect(changedMembers(prev, counters)).toEqual([]);
    table.set(f.id, counters);
    expect(model.applyPoll(f.id, [])).toMatchObject({ members: [], removed: [] });

    const flipped = live(
      f.id,
      counters.members.map((m, i) => (i === 500 ? { ...m, adminState: "draining" as const } : m)),
    );
    const changed = changedMembers(counters, flipped);
    expect(changed).toEqual(["k-m0500"]);
    table.set(f.id, flipped);
    const delta = model.applyPoll(f.id, changed);
    expect(delta.members.map((m) => [m.name, m.states[1]?.adminState, m.disagreement])).toEqual([
      ["m0500", "draining", true],
    ]);
    // The metrics of that frontend are the live ones, for every row.
    expect(model.metrics()["id:501"]![1]).toEqual([2.5, 0, null]);
  });

  it("an intent change sends the rows whose drift changed, and only those", () => {
    const inv = inventory(50, ["mod-jk"]);
    const table = new Map([
      [
        100,
        live(
          100,
          Array.from({ length: 50 }, (_, i) => member(i, i < 5 ? "draining" : "active", "healthy")),
        ),
      ],
    ]);
    const model = new ClusterViewModel(inv, (id) => table.get(id));
    expect(
      model
        .view()
        .members.filter((m) => m.drift)
        .map((m) => m.name),
    ).toHaveLength(5);
    const next = inventory(50, ["mod-jk"], (i) => (i < 5 ? "draining" : "active"));
    const delta = model.replaceInventory(next);
    expect(delta.members.map((m) => [m.name, m.drift, m.intendedState])).toEqual(
      Array.from({ length: 5 }, (_, i) => [`m000${i}`, false, "draining"]),
    );
    expect(delta.removed).toEqual([]);
  });
});
