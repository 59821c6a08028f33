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

  describe("member settings (vwn, vwr, vwc, vwd)", () => {
    it("declares route, redirect, domain and distance with mod_jk 1.2.48's limits", () => {
      expect(modJkAdapter.capabilities.memberSettings).toEqual({
        route: { maxLength: 60, clearable: false },
        redirect: { maxLength: 60, clearable: true },
        domain: { maxLength: 60, clearable: true },
        distance: { min: 0, max: 2_147_483_647 },
      });
    });

    it.each([
      ["route", "tc1b", "vwn=tc1b"],
      ["redirect", "tomcat1", "vwr=tomcat1"],
      ["redirect", "", "vwr="],
      ["domain", "dom1", "vwc=dom1"],
      ["domain", "", "vwc="],
      ["distance", 0, "vwd=0"],
      ["distance", 16, "vwd=16"],
    ] as const)("%s %j GETs cmd=update with %s", async (name, value, param) => {
      await modJkAdapter.setMemberSetting!(jk, lb, "tomcat3", name, value);
      expect(lastRequest().url).toBe(`/jkstatus?cmd=update&mime=xml&w=lb&sw=tomcat3&${param}`);
    });

    it.each([
      // 61 characters: mod_jk answers ERROR "too long" (63-err-route-too-long.xml is the 80-character case).
      ["route", "r".repeat(61), /mod_jk keeps a route of at most 60 characters/],
      ["domain", "d".repeat(61), /mod_jk keeps a domain of at most 60 characters/],
      ["distance", -1, /distance must be a whole number/],
      ["distance", 2.5, /distance must be a whole number/],
      ["route", "", /route cannot be empty/],
      ["route", "t?1", /route may hold only letters/],
      ["lbset", 1, /mod_jk has no lbset setting/],
    ] as const)("%s %j is refused naming the field, nothing sent", async (name, value, message) => {
      const err = await appError(modJkAdapter.setMemberSetting!(jk, lb, "tomcat3", name, value));
      expect(err.code).toBe("INVALID_INPUT");
      expect(err.message).toMatch(message);
      expect(server.requests).toHaveLength(0);
    });

    it("a route mod_jk refuses (result ERROR) is an AppError with its message", async () => {
      server.setReply(200, fixture("63-err-route-too-long.xml"));
      const err = await appError(modJkAdapter.setMemberSetting!(jk, lb, "tomcat3", "route", "tc1b"));
      expect(err.code).toBe("UNEXPECTED_RESPONSE");
      expect(err.message).toMatch(/^jkstatus refused: Update failed \(at least partially\): new route/);
    });
  });
});
