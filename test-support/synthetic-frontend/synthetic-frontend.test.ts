import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import { SyntheticBalancerManager } from "./balancer-manager";
import { SyntheticJkStatus } from "./jkstatus";
import { SyntheticHaproxy } from "./haproxy";
import { syntheticMembers, type TSyntheticMemberSpec } from "./members";
import { startSyntheticFrontend, type TSyntheticFrontend, type TSyntheticKind } from "./server";

const FIXTURES = path.resolve(import.meta.dirname, "../../server/adapters/frontends");
const capture = (kind: string, file: string) =>
  fs.readFileSync(path.join(FIXTURES, kind, "__fixtures__", file), "utf8");

/** Element names in document order inside each `<httpd:worker>` (or the balancer's own fields). */
function workerElementNames(xml: string): string[][] {
  return [...xml.matchAll(/<httpd:worker>([\s\S]*?)<\/httpd:worker>/g)].map((m) =>
    [...m[1]!.matchAll(/<httpd:(\w+)>/g)].map((x) => x[1]!),
  );
}
function balancerFieldNames(xml: string): string[] {
  const head = /<httpd:balancer>([\s\S]*?)<httpd:workers>/.exec(xml)![1]!;
  return [...head.matchAll(/<httpd:(\w+)>/g)].map((x) => x[1]!);
}
/** Attribute names in order of the first element `<jk:NAME …>`. */
function jkAttributeNames(xml: string, element: string): string[] {
  const body = new RegExp(`<jk:${element}\\n([\\s\\S]*?)\\n\\s*/?>`).exec(xml)![1]!;
  return [...body.matchAll(/^\s*(\w+)="/gm)].map((x) => x[1]!);
}
/** The document's lines with every attribute value or element text blanked: what is left is the shape. */
function jkSkeleton(xml: string): string[] {
  return xml.split("\n").map((l) => l.replace(/="[^"]*"/, '=""'));
}

const three = (): TSyntheticMemberSpec[] =>
  syntheticMembers(3).map((m, i) => ({ ...m, retrySeconds: i === 2 ? 30 : undefined }));

describe("synthetic frontends are shaped like the real captures", () => {
  it("balancer-manager: the same balancer fields and worker elements, in order, as httpd 2.4.71 prints them", () => {
    const real = capture("apache-balancer", "13-after-traffic-node2-drained.xml");
    const bm = new SyntheticBalancerManager("mycluster", three());
    bm.flip("m0002", { adminState: "draining" });
    bm.flip("m0003", { failing: true });
    const ours = bm.render();
    // The capture's first balancer: node1 Ok, node2 Drn, node3 Err (retry=30 set in its config).
    expect(balancerFieldNames(ours)).toStrictEqual(balancerFieldNames(real));
    expect(workerElementNames(ours)).toStrictEqual(workerElementNames(real).slice(0, 3));
    expect(ours.slice(0, ours.indexOf("<httpd:balancer>"))).toBe(real.slice(0, real.indexOf("<httpd:balancer>")));
    expect(/<httpd:status>(.*)<\/httpd:status>/g.exec(ours)![1]).toBe("Init Ok ");
    expect([...ours.matchAll(/<httpd:status>(.*)<\/httpd:status>/g)].map((m) => m[1])).toStrictEqual([
      "Init Ok ",
      "Init Drn Ok ",
      "Init Err ",
    ]);
    expect(ours.endsWith("</httpd:manager>")).toBe(real.endsWith("</httpd:manager>"));
  });

  it("jkstatus cmd=show: the same elements and attributes, line for line, as mod_jk 1.2.48 prints them", () => {
    const real = capture("mod-jk", "03-show-lb.xml");
    const jk = new SyntheticJkStatus("lb", three());
    const ours = jk.answer(new URLSearchParams({ cmd: "show", w: "lb", mime: "xml" }));
    for (const element of ["server", "time", "software", "balancer", "member", "map", "result"])
      expect(jkAttributeNames(ours, element), element).toStrictEqual(jkAttributeNames(real, element));
    expect(jkSkeleton(ours)).toStrictEqual(jkSkeleton(real));
  });

  it("jkstatus cmd=update: the result documents of the captures", () => {
    const jk = new SyntheticJkStatus("lb", three());
    const ok = jk.answer(new URLSearchParams({ cmd: "update", mime: "xml", w: "lb", sw: "m0001", vwa: "1" }));
    expect(ok).toBe(capture("mod-jk", "20-update-disable-tc1-vwa1.response.xml"));
    const unknown = jk.answer(new URLSearchParams({ cmd: "update", mime: "xml", w: "lb", sw: "nope", vwa: "1" }));
    expect(unknown).toBe(capture("mod-jk", "51-err-unknown-subworker.xml"));
    expect(jk.answer(new URLSearchParams({ cmd: "show", w: "nope", mime: "xml" }))).toBe(
      capture("mod-jk", "50-err-unknown-worker.xml"),
    );
  });

  it("HAProxy: the capture's info block and headers, server lines as wide as HAProxy's, its answers to set server", () => {
    const real = capture("haproxy", "01-all-up.txt");
    const hap = new SyntheticHaproxy("tomcats", three());
    const ours = hap.answer("show info; show stat tomcats 6 -1; show servers state tomcats");
    const sections = (t: string) => t.split("\n\n").map((s) => s.split("\n"));
    const [infoReal, statReal, stateReal] = sections(real);
    const [infoOurs, statOurs, stateOurs] = sections(ours);
    expect(infoOurs!.map((l) => l.split(":")[0])).toStrictEqual(infoReal!.map((l) => l.split(":")[0]));
    expect(statOurs![0]).toBe(statReal![0]);
    expect(statOurs!.map((l) => l.split(",").length)).toStrictEqual(statReal!.map((l) => l.split(",").length));
    expect(stateOurs!.slice(0, 2)).toStrictEqual(stateReal!.slice(0, 2));
    expect(stateOurs!.map((l) => l.split(" ").length)).toStrictEqual(stateReal!.map((l) => l.split(" ").length));
    expect(ours.endsWith("\n\n")).toBe(true);
    expect(hap.answer("set server tomcats/m0002 state drain")).toBe(
      capture("haproxy", "02-drain-tomcat2.response.txt"),
    );
    expect(hap.answer("set server tomcats/nope state drain")).toBe(
      capture("haproxy", "52-err-no-such-server.response.txt"),
    );
  });
});

describe("synthetic frontends of 1,000 members, driven through the real adapters", () => {
  const members = syntheticMembers(1000);
  const frontends = new Map<TSyntheticKind, TSyntheticFrontend>();
  beforeAll(async () => {
    for (const kind of ["apache-balancer", "mod-jk", "haproxy"] as const)
      frontends.set(kind, await startSyntheticFrontend(kind, kind, members));
  });
  afterAll(async () => {
    for (const f of frontends.values()) await f.close();
  });

  const targetOf = (f: TSyntheticFrontend): TFrontendTarget => ({
    url: f.url,
    balancer: f.balancer,
    timeoutMs: 5000,
    options: {},
  });
  async function read(kind: TSyntheticKind): Promise<TBalancerSnapshot> {
    const f = frontends.get(kind)!;
    const adapter = getFrontendAdapter(kind);
    const status = adapter.parseStatus(await adapter.fetchStatusText(targetOf(f)));
    return status.balancers.find((b) => b.name === f.balancer)!;
  }

  it.each(["apache-balancer", "mod-jk", "haproxy"] as const)(
    "%s: every member parsed, counters grow, a flip and an adapter action read back",
    async (kind) => {
      const adapter = getFrontendAdapter(kind);
      const f = frontends.get(kind)!;
      const first = await read(kind);
      expect(first.members).toHaveLength(1000);
      expect(first.members.map((m) => m.route)).toStrictEqual(members.map((m) => m.route));
      expect(first.members.every((m) => m.adminState === "active" && m.health === "healthy")).toBe(true);

      await new Promise((r) => setTimeout(r, 1100));
      const second = await read(kind);
      const busiest = members.findIndex((m) => m.requestsPerSec === 3.5);
      expect(second.members[busiest]!.elected).toBeGreaterThan(first.members[busiest]!.elected);

      f.flip("m0500", { failing: true });
      f.flip("m0501", { adminState: "stopped" });
      const flipped = await read(kind);
      expect(flipped.members.find((m) => m.route === "m0500")!.health).toBe("failing");
      expect(flipped.members.find((m) => m.route === "m0501")!.adminState).toBe("stopped");

      const m7 = flipped.members.find((m) => m.route === "m0007")!;
      await adapter.setAdminState(targetOf(f), flipped, m7.key, "draining");
      await adapter.setWeight(targetOf(f), flipped, m7.key, 3);
      const after = (await read(kind)).members.find((m) => m.route === "m0007")!;
      expect([after.adminState, after.loadfactor]).toStrictEqual(["draining", 3]);
      expect(f.stats().changes).toBeGreaterThanOrEqual(2);
    },
  );

  it("refuses what the real servers refuse: an unknown HAProxy server, an unknown mod_jk member", async () => {
    const hap = await read("haproxy");
    await expect(
      getFrontendAdapter("haproxy").setAdminState(targetOf(frontends.get("haproxy")!), hap, "nope", "draining"),
    ).rejects.toThrow(/No such server/);
    const jk = await read("mod-jk");
    await expect(
      getFrontendAdapter("mod-jk").setAdminState(targetOf(frontends.get("mod-jk")!), jk, "nope", "draining"),
    ).rejects.toThrow(/could not find sub worker/);
  });
});
