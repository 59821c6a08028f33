/**
 * The cross-instance lock on the lab's PostgreSQL: two pools stand for two console instances editing one
 * nginx include file at once. Start the lab first: bash e2e/lab/lab.sh up
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { pgSharedLock } from "@/server/cluster-lease/shared-lock";

describe("shared lock across instances", () => {
  let pools: pg.Pool[] = [];

  beforeAll(() => {
    const url = labValue(loadLabEnv(), "LAB_POSTGRES_URL");
    pools = [new pg.Pool({ connectionString: url, max: 2 }), new pg.Pool({ connectionString: url, max: 2 })];
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it("never lets two instances inside one name at once, and lets other names through", async () => {
    const [a, b] = pools.map((p) => pgSharedLock(p)) as [
      ReturnType<typeof pgSharedLock>,
      ReturnType<typeof pgSharedLock>,
    ];
    const name = `nginx-include:/tmp/test-${process.pid}-${Date.now()}.conf`;
    const log: string[] = [];
    const edit = (who: string) => async () => {
      log.push(`${who} in`);
      await new Promise((r) => setTimeout(r, 150));
      log.push(`${who} out`);
      return who;
    };
    const other = `${name}.other`;
    const started = Date.now();
    const [r1, r2, r3] = await Promise.all([a(name, edit("a")), b(name, edit("b")), b(other, async () => Date.now())]);
    expect([r1, r2]).toEqual(["a", "b"]);
    // One after the other, whole: in, out, in, out.
    expect(log.filter((l) => l.endsWith("in")).length).toBe(2);
    expect(log[0]!.split(" ")[0]).toBe(log[1]!.split(" ")[0]);
    expect(log[2]!.split(" ")[0]).toBe(log[3]!.split(" ")[0]);
    // Another file's lock was not held up by them.
    expect(r3 - started).toBeLessThan(150);
  });

  it("releases the lock when the holder fails", async () => {
    const lock = pgSharedLock(pools[0]!);
    const name = `nginx-include:/tmp/fail-${process.pid}-${Date.now()}.conf`;
    await expect(lock(name, () => Promise.reject(new Error("nginx -t failed")))).rejects.toThrow("nginx -t failed");
    expect(await pgSharedLock(pools[1]!)(name, async () => "next")).toBe("next");
  });
});
