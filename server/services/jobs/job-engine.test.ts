import { describe, expect, it } from "vitest";
import type { TDb } from "@/server/db";
import { isJobRunning, jobRunner, launchJob, resumeJobs, type TJobKind } from "@/server/services/jobs/job-engine";
import { JOB_KINDS } from "@/server/services/jobs/registry";
import { EVACUATE_STORE_NODE } from "@/server/services/operations/evacuate-store-node";
import { REPLACE_STORE_NODE } from "@/server/services/operations/replace-store-node";
import { EXPIRE_SESSIONS } from "@/server/services/operations/expire-sessions";

const db = {} as TDb; // the fake kinds below never touch it

function fakeKind(unfinished: number[], run: (id: number) => Promise<void>) {
  const ran: number[] = [];
  const crashed: Array<[number, string]> = [];
  const job: TJobKind = {
    kind: "fake",
    lease: "operation",
    unfinished: () => Promise.resolve(unfinished),
    run: (_db, id) => {
      ran.push(id);
      return run(id);
    },
    crashed: (_db, id, err) => {
      crashed.push([id, err.message]);
      return Promise.resolve();
    },
  };
  return { job, ran, crashed };
}

describe("the job engine", () => {
  it("runs one runner per job at a time, and forgets it when it ends", async () => {
    let finish!: () => void;
    const { job, ran } = fakeKind([], () => new Promise<void>((r) => (finish = r)));
    launchJob(job, db, 1);
    launchJob(job, db, 1); // a second launch while it runs (a resume racing a start) is ignored
    expect(ran).toEqual([1]);
    expect(isJobRunning(job, 1)).toBe(true);
    finish();
    await jobRunner(job, 1);
    expect(isJobRunning(job, 1)).toBe(false);
  });

  it("a runner that throws is handed to its kind (operations fail, rollouts pause), never thrown", async () => {
    const { job, crashed } = fakeKind([], () => Promise.reject(new Error("store n2 refused")));
    launchJob(job, db, 7);
    await jobRunner(job, 7);
    expect(crashed).toEqual([[7, "store n2 refused"]]);
  });

  it("resumes every unfinished job of every kind it is given and says how many", async () => {
    const a = fakeKind([3, 4], () => Promise.resolve());
    const b = fakeKind([], () => Promise.resolve());
    expect(await resumeJobs(db, [a.job, { ...b.job, kind: "other" }])).toEqual({ fake: 2 });
    expect(a.ran).toEqual([3, 4]);
  });

  it("the registry lists rollouts and every operation kind, once", () => {
    const kinds = JOB_KINDS.map((k) => k.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toEqual(
      expect.arrayContaining(["rollout", EVACUATE_STORE_NODE, REPLACE_STORE_NODE, EXPIRE_SESSIONS]),
    );
  });
});
