/**
 * Balancer-level settings through the service against the lab's httpd (balancer "tomcats") and mod_jk
 * (lb "lb"): each checked on the balancer's own page (raw fetch), and put back by hand after every test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { applyBalancerSetting } from "@/server/services/frontends/balancer-settings";
import { AppError } from "@/server/errors";
import type { PrismaClient } from "@/generated/prisma/client";
import {
  BALANCER_MANAGER_CLEAN,
  rawBalancerManagerSettings,
  restoreBalancerManagerSettings,
} from "@/test-support/lab/lab-balancer-settings";

const env = loadLabEnv();
const who = { principal: null, actor: "integration-test", ip: null };
const BM_URL = labValue(env, "LAB_BALANCER_MANAGER_URL");
const JK_URL = labValue(env, "LAB_JKSTATUS_URL");

const rawApache = () => rawBalancerManagerSettings(BM_URL);
const APACHE_CLEAN = BALANCER_MANAGER_CLEAN;

async function rawJk(): Promise<Record<string, string>> {
  const xml = await (await fetch(`${JK_URL}?cmd=show&w=lb&mime=xml`)).text();
  const element = /<jk:balancer([^>]*)>/.exec(xml)?.[1] ?? "";
  const attr = (n: string) => new RegExp(`\\s${n}="([^"]*)"`).exec(element)?.[1] ?? "?";
  return Object.fromEntries(["method", "sticky_session", "retries", "recover_time"].map((n) => [n, attr(n)]));
}

const JK_CLEAN = {
  method: "Request",
  sticky_session: "True",
  retries: "2",
  recover_time: labValue(env, "LAB_JK_RECOVER_TIME"),
};

async function restoreRaw(): Promise<void> {
  expect(await restoreBalancerManagerSettings(BM_URL, "tomcats")).toEqual(APACHE_CLEAN);
  await (await fetch(`${JK_URL}?cmd=update&mime=xml&w=lb&vlm=R&vls=1&vlr=2&vlt=${JK_CLEAN.recover_time}`)).text();
  expect(await rawJk()).toEqual(JK_CLEAN);
}

describe("balancer-level settings against the lab's httpd and mod_jk", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await waitUntilHealthy(labFrontends(env));
    await restoreRaw();
  }, 180_000);
  afterEach(restoreRaw);
  afterAll(async () => cleanup());

  it.each([
    ["timeout", "30", { timeout: "30" }],
    ["maxattempts", "1", { maxattempts: "1" }],
    ["nofailover", "on", { nofailover: "On" }],
  ])("balancer-manager %s %s is done and shown on its page", async (name, value, shown) => {
    const r = await applyBalancerSetting(db, "lab", "apache-balancer", name, value, who);
    expect(r).toMatchObject({ outcome: "done", before: APACHE_CLEAN[name as keyof typeof APACHE_CLEAN] });
    expect(await rawApache()).toEqual({ ...APACHE_CLEAN, ...shown });
  });

  it("an lbmethod httpd has not loaded (bybusyness) is ignored by httpd and reported not-verified", async () => {
    const r = await applyBalancerSetting(db, "lab", "apache-balancer", "lbmethod", "bybusyness", who);
    expect(r.outcome).toBe("not-verified");
    expect(r.message).toMatch(/still shows lbmethod "byrequests"/);
    expect(await rawApache()).toEqual(APACHE_CLEAN);
  }, 20_000);

  it.each([
    ["recover_time", "30", { recover_time: "30" }],
    ["retries", "3", { retries: "3" }],
    ["method", "Busyness", { method: "Busyness" }],
  ])("jkstatus %s %s is done and shown on its page", async (name, value, shown) => {
    const r = await applyBalancerSetting(db, "lab", "apache-mod-jk", name, value, who);
    expect(r.outcome).toBe("done");
    expect(await rawJk()).toEqual({ ...JK_CLEAN, ...shown });
    const audit = await db.auditEntry.findUniqueOrThrow({ where: { id: r.auditId } });
    expect(audit).toMatchObject({ action: "frontend.setBalancerSetting", result: "ok", target: "apache-mod-jk" });
  });

  it("HAProxy has no balancer settings: refused with the reason, nothing sent", async () => {
    const err = await applyBalancerSetting(db, "lab", "haproxy", "timeout", "5", who).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/HAProxy \(runtime API\) has no balancer setting "timeout"/);
  });
});
