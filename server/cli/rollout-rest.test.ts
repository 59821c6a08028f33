/**
 * `clusterdeck rollout …` against the console's real REST handler (a throw-away SQLite database, no
 * lab): the cluster's only frontend is a closed port, so a started rollout pauses before changing
 * anything. Checks the wire shapes and the exit codes of rollout-commands.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";
import { findClosedPort } from "@/test-support/fault-server";
import { seedCluster } from "@/test-support/rollouts-one-per-cluster";
import { run } from "@/server/cli/main";

let db: PrismaClient;
let cleanup: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
const tokens = { operator: "", viewer: "" };

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  Object.assign(tokens, await createCliTokens(db));
  await seedCluster(db, await findClosedPort());
  api = await serveRestApi(db);
});
afterAll(async () => {
  await api.close();
  await cleanup();
});

async function cli(args: string[], token = tokens.operator) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { CLUSTERDECK_URL: api.url, CLUSTERDECK_TOKEN: token } as unknown as NodeJS.ProcessEnv,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("clusterdeck rollout over REST", () => {
  it("start, status --wait (paused: exit 1), a second start refused (409: exit 2), abort --wait (exit 0)", async () => {
    const started = await cli(["rollout", "start", "--manual", "--strategy", "inflight", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    const r = JSON.parse(started.stdout) as { id: number; state: string; members: Array<{ member: string }> };
    expect(r.members.map((m) => m.member)).toEqual(["a", "b"]);

    const status = await cli(["rollout", "status", "--cluster", "c1", "--wait", "--timeout", "20", "--json"]);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({
      id: r.id,
      state: "paused",
      message: expect.stringContaining("cannot read f"),
    });

    const again = await cli(["rollout", "start", "--manual", "--strategy", "inflight"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`Rollout #${r.id} is already paused on c1`);
    expect(again.stderr).not.toContain("--force");

    const viewer = await cli(["rollout", "abort", String(r.id)], tokens.viewer);
    expect(viewer.code).toBe(3);

    const aborted = await cli(["rollout", "abort", `#${r.id}`, "--wait", "--timeout", "20", "--json"]);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(JSON.parse(aborted.stdout)).toMatchObject({
      state: "aborted",
      members: [{ state: "not-started" }, { state: "not-started" }],
    });
    expect(await db.rollout.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({
      state: "aborted",
      activeCluster: null,
    });
  });

  it("an operator's deploy command is refused (403: exit 3); an unknown rollout is exit 2; nothing to continue is 409", async () => {
    const cmd = await cli(["rollout", "start", "--deploy-command", "true", "--strategy", "inflight"]);
    expect(cmd.code).toBe(3);
    expect(cmd.stderr).toContain("Only an admin may set or change: deploy command");
    expect((await cli(["rollout", "status", "999", "--cluster", "c1"])).code).toBe(2);
    const last = (await db.rollout.findFirstOrThrow({ orderBy: { id: "desc" } })).id;
    const cont = await cli(["rollout", "continue", String(last)]);
    expect(cont.code).toBe(2);
    expect(cont.stderr).toContain("has no wait or deploy step to continue");
  });
});
