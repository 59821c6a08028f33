import { afterEach, describe, expect, it } from "vitest";
import type { TDb } from "@/server/db";
import { LeaseManager } from "@/server/cluster-lease/lease-manager";
import { setOwnership } from "@/server/cluster-lease/ownership";
import { assertJobLease, jobDuty, jobRunner, launchJob, type TJobKind } from "@/server/services/jobs/job-engine";
import { MemoryLeaseStore } from "@/test-support/memory-lease-store";

const db = {} as TDb; // the fake kind never touches it
const TTL = 3_000;

function rig() {
  let now = 0;
  const clock = () => now;
  const store = new MemoryLeaseStore(clock);
  const make = (instanceId: string) =>
    new LeaseManager(store, { instanceId, ttlMs: TTL, listDuties: async () => [], clock });
  return { store, a: make("a"), b: make("b"), advance: (ms: number) => (now += ms) };
}

/** A job of `steps` steps, each waiting for the test's go, with the fencing check before each. */
function steppedJob(steps: number) {
  const done: number[] = [];
  const crashed: string[] = [];
  let go: () => void = () => undefined;
  const job: TJobKind = {
    kind: "stepped",
    lease: "operation",
    unfinished: async () => [],
    run: async (_db, id) => {
      for (let i = 1; i <= steps; i++) {
        await new Promise<void>((r) => (go = r));
        await assertJobLease(job, id);
        done.push(i);
      }
    },
    crashed: async (_db, _id, err) => {
      crashed.push(err.message);
    },
  };
  return { job, done, crashed, step: () => go() };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => setOwnership(undefined));

describe("jobs under leases (several instances)", () => {
  it("a job another instance holds is not run here", async () => {
    const r = rig();
    const { job, done } = steppedJob(1);
    expect(await r.b.pin(jobDuty(job, 5))).toBe(true);
    setOwnership(r.a);
    launchJob(job, db, 5);
    await jobRunner(job, 5);
    expect(done).toEqual([]);
  });

  it("a runner whose lease was taken over stops before its next step, without failing the job", async () => {
    const r = rig();
    const { job, done, crashed, step } = steppedJob(3);
    setOwnership(r.a);
    launchJob(job, db, 9);
    await settle();
    step();
    await settle();
    expect(done).toEqual([1]);
    const first = r.a.tokenOf(jobDuty(job, 9))!;
    // a is cut off (no renewal) for longer than the lease; b takes the job over with a larger token.
    r.advance(TTL + 1);
    expect(await r.b.pin(jobDuty(job, 9))).toBe(true);
    expect(r.b.tokenOf(jobDuty(job, 9))).toBeGreaterThan(first);
    step();
    await jobRunner(job, 9);
    expect(done).toEqual([1]);
    expect(crashed).toEqual([]);
    expect(await r.b.stillOwns(jobDuty(job, 9))).toBe(true);
  });

  it("a job's lease is renewed with the others and never given away to even out the shares", async () => {
    const r = rig();
    const { job, done, step } = steppedJob(2);
    setOwnership(r.a);
    launchJob(job, db, 4);
    await settle();
    for (let i = 0; i < 6; i++) {
      r.advance(TTL / 3);
      await r.a.round();
      await r.b.round();
    }
    expect(r.a.owns(jobDuty(job, 4))).toBe(true);
    step();
    await settle();
    step();
    await jobRunner(job, 4);
    expect(done).toEqual([1, 2]);
    // Ended: the lease is released for good.
    expect(r.a.owns(jobDuty(job, 4))).toBe(false);
    expect(await r.store.free([jobDuty(job, 4)])).toEqual([jobDuty(job, 4)]);
  });
});
