/**
 * mod-jk actions against a small in-process server: what exactly goes on the wire to jkstatus, and how
 * refusals and bad input become AppErrors. The real mod_jk is covered by actions.int.test.ts beside this file.
 */
import fs from "node:fs";
import type http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import { modJkAdapter } from "@/server/adapters/frontends/mod-jk";
import { startCannedServer } from "@/test-support/fault-server";
import type { TAdminState } from "@/server/domain/member-state";
import { appError, snapshot, target } from "@/test-support/frontend-actions";

function fixture(name: string): string {
  return fs.readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");
}

const JK_OK_REPLY = fixture("20-update-disable-tc1-vwa1.response.xml");
const JK_READ_ONLY_REPLY = fixture("53-err-readonly-worker-update.xml");

describe("mod-jk actions (jkstatus cmd=update)", () => {
  let server: Awaited<ReturnType<typeof startCannedServer>>;
  let jk: TFrontendTarget;
  const lb = snapshot("lb", null);

  beforeAll(async () => {
    server = await startCannedServer(200, JK_OK_REPLY);
    jk = target(server.url.replace(/\/balancer-manager$/, "/jkstatus"), "lb");
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.setReply(200, JK_OK_REPLY);
  });

  function lastRequest(): http.IncomingMessage {
    expect(server.requests).toHaveLength(1);
    return server.requests[0]!;
  }

  it("offers active/draining/disabled/stopped and integer weights; disabled reads back as stopped", () => {
    expect(modJkAdapter.capabilities.adminStates).toEqual(["active", "draining", "disabled", "stopped"]);
    expect(modJkAdapter.capabilities.weight).toEqual({ min: 1, max: 100_000, integer: true });
    expect(modJkAdapter.observedStateFor("active")).toBe("active");
    expect(modJkAdapter.observedStateFor("draining")).toBe("draining");
    expect(modJkAdapter.observedStateFor("disabled")).toBe("stopped");
    expect(modJkAdapter.observedStateFor("stopped")).toBe("stopped");
    expect(modJkAdapter.observedStateFor("standby")).toBeNull();
  });

  it.each([
    ["draining", "1"],
    ["disabled", "2"],
    ["stopped", "2"],
    ["active", "0"],
  ] as [TAdminState, string][])("%s GETs cmd=update with vwa=%s", async (state, vwa) => {
    await modJkAdapter.setAdminState(jk, lb, "tomcat3", state);
    const req = lastRequest();
    expect(req.method).toBe("GET");
    expect(req.url).toBe(`/jkstatus?cmd=update&mime=xml&w=lb&sw=tomcat3&vwa=${vwa}`);
  });

  it("standby is refused: mod_jk has no such activation", async () => {
    const err = await appError(modJkAdapter.setAdminState(jk, lb, "tomcat3", "standby"));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(/^mod_jk has no standby state/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([1, 5, 100_000])("setWeight(%s) GETs vwf", async (weight) => {
    await modJkAdapter.setWeight(jk, lb, "tomcat3", weight);
    expect(lastRequest().url).toBe(`/jkstatus?cmd=update&mime=xml&w=lb&sw=tomcat3&vwf=${weight}`);
  });

  it.each([0, -1, 1.5, 100_001, Number.NaN])(
    "setWeight(%s) is refused before anything is sent (mod_jk ignores it)",
    async (weight) => {
      const err = await appError(modJkAdapter.setWeight(jk, lb, "tomcat3", weight));
      expect(err.code).toBe("INVALID_INPUT");
      expect(server.requests).toHaveLength(0);
    },
  );

  it.each(["tomcat*", "tomcat?", "*"])(
    "member %j is refused: update would expand the wildcard to several members",
    async (key) => {
      const err = await appError(modJkAdapter.setAdminState(jk, lb, key, "stopped"));
      expect(err.code).toBe("INVALID_INPUT");
      expect(err.message).toMatch(/wildcard/);
      const weightErr = await appError(modJkAdapter.setWeight(jk, lb, key, 2));
      expect(weightErr.code).toBe("INVALID_INPUT");
      expect(server.requests).toHaveLength(0);
    },
  );

  it("a result type=ERROR (read-only status worker) becomes an AppError with mod_jk's message", async () => {
    server.setReply(200, JK_READ_ONLY_REPLY);
    const err = await appError(modJkAdapter.setAdminState(jk, lb, "tomcat3", "draining"));
    expect(err.code).toBe("UNEXPECTED_RESPONSE");
    expect(err.message).toBe("jkstatus refused: This command is not allowed in read only mode.");
    const weightErr = await appError(modJkAdapter.setWeight(jk, lb, "tomcat3", 2));
    expect(weightErr.message).toBe("jkstatus refused: This command is not allowed in read only mode.");
  });

  it("a reply without a result is an error: nothing says the update was applied", async () => {
    server.setReply(
      200,
      '<?xml version="1.0" encoding="UTF-8" ?>\n<jk:status xmlns:jk="http://tomcat.apache.org">\n<jk:server name="127.0.0.1" port="80"/>\n</jk:status>\n',
    );
    const err = await appError(modJkAdapter.setAdminState(jk, lb, "tomcat3", "draining"));
    expect(err.code).toBe("UNEXPECTED_RESPONSE");
    expect(err.message).toMatch(/without a <result>/);
  });

  it("an HTML reply (mime ignored, or not a status worker) is an error", async () => {
    server.setReply(200, "<!DOCTYPE html><html><body>It works</body></html>");
    const err = await appError(modJkAdapter.setAdminState(jk, lb, "tomcat3", "draining"));
    expect(err.code).toBe("UNEXPECTED_RESPONSE");
  });
});
