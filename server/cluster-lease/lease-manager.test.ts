import { describe, expect, it } from "vitest";
import { LeaseManager } from "@/server/cluster-lease/lease-manager";
import { planLeases } from "@/server/cluster-lease/lease-plan";
import { MemoryLeaseStore } from "@/test-support/memory-lease-store";

const TTL = 3_000;
const DUTIES = [
  "alerts",
  "delivery",
  "history",
  "reapply",
  ...Array.from({ length: 8 }, (_, i) => `frontend:${i + 1}`),
];

function rig(n: number) {
  let now = 0;
  const clock = () => now;
  const store = new MemoryLeaseStore(clock);
  const managers = Array.from(
    { length: n },
    (_, i) => new LeaseManager(store, { instanceId: `i${i + 1}`, ttlMs: TTL, listDuties: async () => DUTIES, clock }),
  );
  return {
    store,
    managers,
    advance: (ms: number) => (now += ms),
    /** Every manager's round, as their timers would run them. */
    rounds: async (alive = managers) => {
      for (const m of alive) await m.round();
    },
  };
}

function ownersOf(managers: LeaseManager[], duty: string): string[] {
  return managers.filter((m) => m.owns(duty)).map((m) => m.instanceId);
}

describe("lease plan", () => {
  it("keeps each instance to its share and claims up to it", () => {
    expect(planLeases({ instanceId: "a", held: [], duties: DUTIES, liveInstances: 3 })).toEqual({
      release: [],
      claim: 4,
    });
    const all = planLeases({ instanceId: "a", held: DUTIES, duties: DUTIES, liveInstances: 3 });
    expect(all.release).toHaveLength(8);
    expect(all.claim).toBe(0);
  });

  it("gives up duties that no longer exist", () => {
    const plan = planLeases({ instanceId: "a", held: ["frontend:99", "alerts"], duties: DUTIES, liveInstances: 1 });
    expect(plan.release).toEqual(["frontend:99"]);
    expect(plan.claim).toBe(DUTIES.length - 1);
  });
});

describe("lease manager", () => {
  it("spreads the duties over three instances, each owned by exactly one", async () => {
    const r = rig(3);
    // Started together: the first sees itself alone and takes everything, then gives back above its share.
    for (let i = 0; i < 4; i++) {
      await r.rounds();
      r.advance(TTL / 3);
    }
    for (const d of DUTIES) expect(ownersOf(r.managers, d)).toHaveLength(1);
    for (const m of r.managers) expect(m.ownedDuties().length).toBe(4);
  });

  it("a dead owner's duties are taken over within ttl + one round, with a larger token", async () => {
    const r = rig(3);
    for (let i = 0; i < 4; i++) {
      await r.rounds();
      r.advance(TTL / 3);
    }
    const [dead, ...alive] = r.managers as [LeaseManager, ...LeaseManager[]];
    const orphaned = dead.ownedDuties();
    const tokens = new Map(orphaned.map((d) => [d, dead.tokenOf(d)!]));
    // The dead one stops renewing. Its local view lapses before the database frees its leases.
    let waited = 0;
    while (orphaned.some((d) => ownersOf(alive, d).length === 0)) {
      r.advance(TTL / 3);
      waited += TTL / 3;
      await r.rounds(alive);
      expect(waited).toBeLessThanOrEqual(TTL + TTL / 3);
    }
    for (const d of orphaned) {
      expect(dead.owns(d)).toBe(false);
      expect(ownersOf(alive, d)).toHaveLength(1);
      const taker = alive.find((m) => m.owns(d))!;
      expect(taker.tokenOf(d)).toBeGreaterThan(tokens.get(d)!);
    }
  });

  it("never lets two instances own a duty, even while one is paused past its lease", async () => {
    const r = rig(2);
    await r.rounds();
    const [a, b] = r.managers as [LeaseManager, LeaseManager];
    const mine = a.ownedDuties();
    expect(mine.length).toBe(DUTIES.length);
    // a is paused (no rounds) while b claims what expired; at no step do both own a duty.
    for (let t = 0; t < 10; t++) {
      r.advance(TTL / 3);
      await b.round();
      for (const d of DUTIES) expect(a.owns(d) && b.owns(d)).toBe(false);
    }
    // a comes back: its renewal finds the leases gone and it claims only free ones, up to its share.
    await a.round();
    for (const d of DUTIES) expect(a.owns(d) && b.owns(d)).toBe(false);
  });

  it("a late renewal stops the work (owns) before it stops the reads (holds), and both end", async () => {
    const r = rig(1);
    await r.rounds();
    const [a] = r.managers as [LeaseManager];
    expect(a.owns("alerts") && a.holds("alerts")).toBe(true);
    // No round for a while: past the trusted window (ttl - one round), not yet past one more ttl.
    r.advance(TTL - TTL / 3 + 1);
    expect(a.owns("alerts")).toBe(false);
    expect(a.holds("alerts")).toBe(true);
    r.advance(TTL);
    expect(a.holds("alerts")).toBe(false);
    // The next round renews it: both again.
    await a.round();
    expect(a.owns("alerts") && a.holds("alerts")).toBe(true);
  });

  it("a clean stop frees everything for the next round of the others", async () => {
    const r = rig(2);
    for (let i = 0; i < 3; i++) {
      await r.rounds();
      r.advance(TTL / 3);
    }
    const [a, b] = r.managers as [LeaseManager, LeaseManager];
    const changes: Array<[string, boolean]> = [];
    b.onChange((d, owned) => changes.push([d, owned]));
    const given = a.ownedDuties();
    await a.stop();
    await b.round();
    expect(b.ownedDuties()).toEqual([...DUTIES].sort());
    expect(
      changes
        .filter(([, owned]) => owned)
        .map(([d]) => d)
        .sort(),
    ).toEqual(given);
  });
});
