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

const env = loadLabEnv();
const who = { principal: null, actor: "integration-test", ip: null };
const BM_URL = labValue(env, "LAB_BALANCER_MANAGER_URL");
const JK_URL = labValue(env, "LAB_JKSTATUS_URL");

async function rawApache(): Promise<Record<string, string>> {
  const xml = await (await fetch(`${BM_URL}?xml=1`, { headers: { Referer: BM_URL } })).text();
  const head = xml.split("<httpd:workers>")[0] ?? "";
  const field = (n: string) => new RegExp(`<httpd:${n}>([^<]*)</httpd:${n}>`).exec(head)?.[1] ?? "?";
  return Object.fromEntries(["lbmethod", "nofailover", "timeout", "maxattempts"].map((n) => [n, field(n)]));
}

async function rawJk(): Promise<Record<string, string>> {
  const xml = await (await fetch(`${JK_URL}?cmd=show&w=lb&mime=xml`)).text();
  const element = /<jk:balancer([^>]*)>/.exec(xml)?.[1] ?? "";
  const attr = (n: string) => new RegExp(`\\s${n}="([^"]*)"`).exec(element)?.[1] ?? "?";
  return Object.fromEntries(["method", "sticky_session", "retries", "recover_time"].map((n) => [n, attr(n)]));
}

const APACHE_CLEAN = { lbmethod: "byrequests", nofailover: "Off", timeout: "0", maxattempts: "2" };
const JK_CLEAN = {
  method: "Request",
  sticky_session: "True",
  retries: "2",
  recover_time: labValue(env, "LAB_JK_RECOVER_TIME"),
};

async function restoreRaw(): Promise<void> {
  const xml = await (await fetch(`${BM_URL}?xml=1`, { headers: { Referer: BM_URL } })).text();
  const nonce = /<httpd:nonce>([^<]*)<\/httpd:nonce>/.exec(xml)?.[1] ?? "";
  const body = new URLSearchParams({
    b: "tomcats",
    nonce,
    b_lbm: "byrequests",
    b_sforce: "0",
    b_tmo: "0",
    b_max: "2",
    xml: "1",
  });
  await (await fetch(BM_URL, { method: "POST", headers: { Referer: BM_URL }, body })).text();
  await (await fetch(`${JK_URL}?cmd=update&mime=xml&w=lb&vlm=R&vls=1&vlr=2&vlt=${JK_CLEAN.recover_time}`)).text();
  expect(await rawApache()).toEqual(APACHE_CLEAN);
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
