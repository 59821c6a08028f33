import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  boundOutput,
  callDeployWebhook,
  MAX_OUTPUT,
  runDeployCommand,
  type TDeployTarget,
} from "@/server/services/rollouts/deploy";

const target: TDeployTarget = {
  rolloutId: 7,
  cluster: "shop",
  member: "tomcat2",
  host: "127.0.0.1",
  route: "t2",
  httpPort: 8082,
  ajpPort: null,
};
const hooks = { onOutput: async () => undefined, shouldKill: async () => false };
const command = (c: string, timeoutSec = 10) => ({
  kind: "command" as const,
  command: c,
  timeoutSec,
  idempotent: false,
});

describe("runDeployCommand", () => {
  it("gives the member in the environment and keeps stdout and stderr", async () => {
    const o = await runDeployCommand(
      command(
        'echo "$CLUSTERDECK_MEMBER $CLUSTERDECK_HOST $CLUSTERDECK_ROUTE $CLUSTERDECK_HTTP_PORT [$CLUSTERDECK_AJP_PORT] $CLUSTERDECK_ROLLOUT_ID"; echo oops >&2',
      ),
      target,
      hooks,
    );
    expect(o).toMatchObject({ ok: true, message: "deploy command exited 0" });
    expect(o.output).toContain("tomcat2 127.0.0.1 t2 8082 [] 7");
    expect(o.output).toContain("oops");
  });
  it("a non-zero exit is a failure with its code", async () => {
    expect(await runDeployCommand(command("exit 4"), target, hooks)).toMatchObject({
      ok: false,
      message: "deploy command exited 4",
    });
  });
  it("a timeout ends the command's whole process group", async () => {
    const started = Date.now();
    const o = await runDeployCommand(command("sleep 30 & sleep 30; echo never", 1), target, hooks);
    expect(o).toMatchObject({ ok: false, message: "deploy command timed out after 1 s" });
    expect(o.output).not.toContain("never");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
  it("an abort ends it, and output arrives while it runs", async () => {
    const seen: string[] = [];
    let polls = 0;
    const o = await runDeployCommand(command("echo first; sleep 20"), target, {
      onOutput: async (s) => void seen.push(s),
      shouldKill: async () => ++polls >= 2,
    });
    expect(o).toMatchObject({ ok: false, message: "deploy command ended by abort" });
    expect(seen.some((s) => s.includes("first"))).toBe(true);
  });
  it("keeps only the last 64 KiB of output", () => {
    const big = `${"a".repeat(MAX_OUTPUT)}TAIL`;
    const kept = boundOutput(big);
    expect(kept.endsWith("TAIL")).toBe(true);
    expect(kept.length).toBeLessThan(MAX_OUTPUT + 40);
    expect(kept.startsWith("[… earlier output dropped …]")).toBe(true);
  });
});

describe("callDeployWebhook", () => {
  it("POSTs the member as JSON; 2xx is success, anything else a failure with the answer kept", async () => {
    const bodies: unknown[] = [];
    let status = 200;
    const server = http.createServer((req, res) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => {
        bodies.push(JSON.parse(b));
        res.writeHead(status).end(status === 200 ? "deployed" : "nope");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      expect(await callDeployWebhook({ kind: "webhook", url, timeoutSec: 5, idempotent: false }, target)).toMatchObject(
        { ok: true, output: "HTTP 200\ndeployed" },
      );
      expect(bodies[0]).toMatchObject({ member: "tomcat2", host: "127.0.0.1", route: "t2", httpPort: 8082 });
      status = 500;
      expect(await callDeployWebhook({ kind: "webhook", url, timeoutSec: 5, idempotent: false }, target)).toMatchObject(
        { ok: false, message: "webhook answered 500", output: "HTTP 500\nnope" },
      );
    } finally {
      server.close();
    }
  });
});
