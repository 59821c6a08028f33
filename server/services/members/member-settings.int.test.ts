/**
 * Member settings through the service (applyMemberChange, the path member.setSetting, REST and the CLI take)
 * against the lab's real httpd balancer-manager (frontend A) and mod_jk jkstatus (frontend B). Every change
 * is checked by fetching the balancer's own status page here (raw, not through ClusterDeck's parser), and
 * every setting is put back after each test with raw requests, then read back raw. Only tomcat3 is touched.
 * HAProxy and nginx are in the same cluster: they must answer "unsupported" and be sent nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { createTestDb } from "@/test-support/test-db";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { getFrontendAdapter } from "@/server/adapters/registry";
import { readBalancer } from "@/server/services/frontends/read-frontend";
import { labRow } from "@/test-support/lab/lab-frontend-actions";
import { AppError } from "@/server/errors";
import type { TMemberSettingChange } from "@/server/domain/member-settings";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const who = { principal: null, actor: "integration-test", ip: null };
const MEMBER = "tomcat3";
const BM_URL = labValue(env, "LAB_BALANCER_MANAGER_URL");
const JK_URL = labValue(env, "LAB_JKSTATUS_URL");
/** httpd names the worker by its URL, which a route change does not touch. */
const BM_WORKER = `http://127.0.0.1:${labValue(env, "LAB_TOMCAT3_HTTP_PORT")}`;

/** tomcat3's settings as httpd prints them in its own XML. */
async function rawApache(): Promise<{ route: string; redirect: string; lbset: string }> {
  const xml = await (await fetch(`${BM_URL}?xml=1`, { headers: { Referer: BM_URL } })).text();
  const block = xml.split("<httpd:worker>").find((w) => w.includes(`<httpd:name>${BM_WORKER}</httpd:name>`));
  if (!block) throw new Error(`balancer-manager lists no worker ${BM_WORKER}`);
  const field = (name: string) => new RegExp(`<httpd:${name}>([^<]*)</httpd:${name}>`).exec(block)?.[1] ?? "?";
  return { route: field("route"), redirect: field("redirect"), lbset: field("lbset") };
}

/** tomcat3's settings as jkstatus prints them (cmd=show, one attribute each). */
async function rawJk(): Promise<{ route: string; redirect: string; domain: string; distance: string }> {
  const xml = await (await fetch(`${JK_URL}?cmd=show&w=lb&sw=${MEMBER}&mime=xml`)).text();
  const element = new RegExp(`<jk:member\\s+name="${MEMBER}"([^>]*)/>`).exec(xml)?.[1] ?? "";
  const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1] ?? "?";
  return { route: attr("route"), redirect: attr("redirect"), domain: attr("domain"), distance: attr("distance") };
}

const APACHE_CLEAN = { route: MEMBER, redirect: "", lbset: "0" };
const JK_CLEAN = { route: MEMBER, redirect: "", domain: "", distance: "0" };

/** Puts every setting a test may change back, by hand (fresh nonce), not through the adapters under test. */
async function restoreRaw(): Promise<void> {
  const xml = await (await fetch(`${BM_URL}?xml=1`, { headers: { Referer: BM_URL } })).text();
  const nonce = /<httpd:nonce>([^<]*)<\/httpd:nonce>/.exec(xml)?.[1] ?? "";
  const body = new URLSearchParams({
    b: "tomcats",
    w: BM_WORKER,
    nonce,
    w_wr: MEMBER,
    w_rr: "",
    w_ls: "0",
    w_status_R: "0",
    xml: "1",
  });
  await (await fetch(BM_URL, { method: "POST", headers: { Referer: BM_URL }, body })).text();
  const q = new URLSearchParams({ cmd: "update", mime: "xml", w: "lb", sw: MEMBER, vwn: MEMBER, vwr: "", vwc: "" });
  await (await fetch(`${JK_URL}?${q}&vwd=0`)).text();
  expect(await rawApache()).toEqual(APACHE_CLEAN);
  expect(await rawJk()).toEqual(JK_CLEAN);
  expect(await rawApacheStatus()).toBe("Init Ok ");
}

/** tomcat3's <httpd:status>, verbatim. */
async function rawApacheStatus(): Promise<string> {
  const xml = await (await fetch(`${BM_URL}?xml=1`, { headers: { Referer: BM_URL } })).text();
  const block = xml.split("<httpd:worker>").find((w) => w.includes(`<httpd:name>${BM_WORKER}</httpd:name>`)) ?? "";
  return /<httpd:status>([^<]*)<\/httpd:status>/.exec(block)?.[1] ?? "?";
}

describe("member settings through the service, against the lab's httpd and mod_jk", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await waitUntilHealthy(labFrontends(env));
    await restoreRaw();
  }, 180_000);
  afterEach(async () => {
    vi.restoreAllMocks();
    await restoreRaw();
  });
  afterAll(async () => cleanup());

  const outcomes = (r: Awaited<ReturnType<typeof applyMemberChange>>) =>
    Object.fromEntries(r.frontends.map((f) => [f.kind, f.outcome]));
  const set = (setting: TMemberSettingChange) =>
    applyMemberChange(db, "lab", MEMBER, { kind: "setting", setting }, who);

  it("route: set on httpd (w_wr) and mod_jk (vwn), seen in both status pages; HAProxy and nginx say why not", async () => {
    const r = await set({ name: "route", value: "t3settings" });
    expect(outcomes(r)).toEqual({
      "apache-balancer": "done",
      "mod-jk": "done",
      haproxy: "unsupported",
      nginx: "unsupported",
    });
    expect(r.overall).toBe("done");
    expect((await rawApache()).route).toBe("t3settings");
    expect((await rawJk()).route).toBe("t3settings");
    const haproxy = r.frontends.find((f) => f.kind === "haproxy")!;
    expect(haproxy.message).toMatch(/HAProxy's runtime API cannot change a server's route/);
    expect(r.frontends.find((f) => f.kind === "nginx")!.message).toMatch(/nginx has no per-server route/);
    // The read-back is in the result, as the frontend showed it.
    expect(r.frontends.find((f) => f.kind === "mod-jk")!.observed?.settings?.route).toBe("t3settings");

    const audit = await db.auditEntry.findUniqueOrThrow({ where: { id: r.auditId } });
    expect(audit.action).toBe("member.setSetting");
    expect(audit.result).toBe("ok");
    expect(JSON.parse(audit.before ?? "null")).toEqual({
      route: { "apache-balancer": MEMBER, "apache-mod-jk": MEMBER },
    });
    expect(JSON.parse(audit.after ?? "null")).toEqual({ route: "t3settings" });
  });

  it("redirect: set on both, then cleared with an empty value", async () => {
    const r = await set({ name: "redirect", value: "tomcat1" });
    expect(outcomes(r)).toMatchObject({ "apache-balancer": "done", "mod-jk": "done" });
    expect((await rawApache()).redirect).toBe("tomcat1");
    expect((await rawJk()).redirect).toBe("tomcat1");

    const cleared = await set({ name: "redirect", value: "" });
    expect(cleared.overall).toBe("done");
    expect((await rawApache()).redirect).toBe("");
    expect((await rawJk()).redirect).toBe("");
  });

  it("lbset is httpd's only (w_ls); mod_jk answers unsupported and keeps its distance", async () => {
    const r = await set({ name: "lbset", value: 1 });
    expect(outcomes(r)).toMatchObject({ "apache-balancer": "done", "mod-jk": "unsupported" });
    expect(r.frontends.find((f) => f.kind === "mod-jk")!.message).toMatch(/has no lbset setting/);
    expect((await rawApache()).lbset).toBe("1");
    expect((await rawJk()).distance).toBe("0");
  });

  it("domain and distance are mod_jk's (vwc, vwd); httpd answers unsupported", async () => {
    const domain = await set({ name: "domain", value: "dc1" });
    expect(outcomes(domain)).toMatchObject({ "apache-balancer": "unsupported", "mod-jk": "done" });
    const distance = await set({ name: "distance", value: 3 });
    expect(outcomes(distance)).toMatchObject({ "apache-balancer": "unsupported", "mod-jk": "done" });
    expect(await rawJk()).toMatchObject({ domain: "dc1", distance: "3" });
    expect(await rawApache()).toEqual(APACHE_CLEAN);
  });

  it("a change httpd ignores (stale nonce: 200, nothing changed) is reported not-verified, never done", async () => {
    const apache = getFrontendAdapter("apache-balancer");
    const original = apache.setMemberSetting!.bind(apache);
    vi.spyOn(apache, "setMemberSetting").mockImplementation((target, balancer, key, name, value) =>
      original(target, { ...balancer, nonce: "00000000-0000-0000-0000-000000000000" }, key, name, value),
    );
    const r = await set({ name: "route", value: "t3ignored" });
    const bm = r.frontends.find((f) => f.kind === "apache-balancer")!;
    expect(bm.outcome).toBe("not-verified");
    expect(bm.message).toMatch(/still shows route "tomcat3"/);
    expect(r.overall).toBe("partial");
    expect((await rawApache()).route).toBe(MEMBER);
    expect((await rawJk()).route).toBe("t3ignored");
  }, 20_000);

  it("a value mod_jk would refuse (61 characters) fails on mod_jk before sending, while httpd takes it", async () => {
    const long = "r".repeat(61);
    const r = await set({ name: "route", value: long });
    const jk = r.frontends.find((f) => f.kind === "mod-jk")!;
    expect(jk.outcome).toBe("failed");
    expect(jk.message).toMatch(/at most 60 characters/);
    expect(r.overall).toBe("partial");
    expect((await rawJk()).route).toBe(MEMBER);
    expect((await rawApache()).route).toBe(long);
  });

  it("on HAProxy and nginx alone a route is refused with a typed error naming the reason, and nothing is sent", async () => {
    const frontends = await db.frontend.findMany({ where: { kind: { in: ["haproxy", "nginx"] } } });
    expect(frontends).toHaveLength(2);
    const reads = frontends.map((f) => vi.spyOn(getFrontendAdapter(f.kind), "fetchStatusText"));
    const err = await applyMemberChange(
      db,
      "lab",
      MEMBER,
      { kind: "setting", setting: { name: "route", value: "t3" } },
      { ...who, frontendIds: frontends.map((f) => f.id) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("INVALID_INPUT");
    expect((err as AppError).message).toMatch(/No frontend of lab can change route .*haproxy: HAProxy's runtime API/);
    for (const read of reads) expect(read).not.toHaveBeenCalled();
    const denied = await db.auditEntry.findFirstOrThrow({
      where: { action: "member.setSetting" },
      orderBy: { id: "desc" },
    });
    expect(denied.result).toBe("denied");
  });

  it("a hot spare set on the real httpd (w_status_R=1) reads as the hot-spare state, not a plain standby", async () => {
    const xml = await (await fetch(`${BM_URL}?xml=1`, { headers: { Referer: BM_URL } })).text();
    const nonce = /<httpd:nonce>([^<]*)<\/httpd:nonce>/.exec(xml)?.[1] ?? "";
    const body = new URLSearchParams({ b: "tomcats", w: BM_WORKER, nonce, w_status_R: "1", xml: "1" });
    await (await fetch(BM_URL, { method: "POST", headers: { Referer: BM_URL }, body })).text();
    expect(await rawApacheStatus()).toBe("Init Spar Ok ");
    const member = (await readBalancer(labRow("apache-balancer", env))).members.find((m) => m.key === BM_WORKER);
    expect(member).toMatchObject({ adminState: "standby", hotSpare: true });
  });
});
