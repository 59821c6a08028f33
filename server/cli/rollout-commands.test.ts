import { describe, expect, it } from "vitest";
import { run, type TIo } from "@/server/cli/main";
import { startBody } from "@/server/cli/rollout-commands";
import { ZRolloutSettings } from "@/server/services/rollouts/schema";

const base = {
  strategy: "safe",
  waitTimeout: 600,
  onTimeout: "pause",
  healthPath: "/app/health",
  healthTimeout: 180,
  ramp: [25, 50, 100],
  rampStep: 10,
  timeout: 60,
};

function io(): TIo & { outText: () => string; errText: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { CLUSTERDECK_TOKEN: "cdk_x", CLUSTERDECK_URL: "http://127.0.0.1:9" } as unknown as NodeJS.ProcessEnv,
    outText: () => out.join("\n"),
    errText: () => err.join("\n"),
  };
}

describe("clusterdeck rollout start: options to the REST body", () => {
  it("builds settings the server's schema accepts, with the deploy kind asked for", () => {
    const body = startBody({
      ...base,
      members: "tomcat2, tomcat1",
      maxUnavailable: 1,
      deployCommand: "./deploy.sh",
      idempotent: true,
      deployTimeout: 300,
    });
    expect(body).toMatchObject({
      members: ["tomcat2", "tomcat1"],
      deploy: { kind: "command", command: "./deploy.sh", idempotent: true, timeoutSec: 300 },
    });
    expect(ZRolloutSettings.safeParse(body).success).toBe(true);
    expect(startBody({ ...base, manual: true })).toMatchObject({ deploy: { kind: "manual" } });
    expect(ZRolloutSettings.safeParse(startBody({ ...base, webhook: "http://127.0.0.1:1/hook" })).success).toBe(true);
  });
  it("needs exactly one deploy kind", () => {
    expect(() => startBody({ ...base })).toThrow(/exactly one of --deploy-command/);
    expect(() => startBody({ ...base, manual: true, webhook: "http://x" })).toThrow(/exactly one/);
  });
  it("rejects a ramp that does not rise to 100 before asking the console (exit 2)", async () => {
    const o = io();
    expect(await run(["rollout", "start", "--manual", "--ramp", "50,25,100"], o)).toBe(2);
    expect(o.errText()).toContain("rising percents ending at 100");
    const o2 = io();
    expect(await run(["rollout", "start"], o2)).toBe(2);
    expect(o2.errText()).toContain("exactly one of --deploy-command");
  });
  it("a console that cannot be reached is exit 4", async () => {
    const o = io();
    expect(await run(["rollout", "status", "3", "--cluster", "lab"], o)).toBe(4);
  });
});
