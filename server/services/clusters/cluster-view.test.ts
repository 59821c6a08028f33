import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { forgetFrontendLive, setFrontendLive, type TLiveMember } from "@/server/poller/live-state";
import { getClusterView, getOverview } from "@/server/services/clusters/cluster-view";
import { ZClusterView } from "@/server/services/clusters/cluster-view-schema";
import type { PrismaClient } from "@/generated/prisma/client";
import type { TAdminState, THealth } from "@/server/domain/member-state";

function member(route: string, port: number, adminState: TAdminState, health: THealth): TLiveMember {
  return {
    key: `m-${route}`,
    route,
    host: "127.0.0.1",
    port,
    adminState,
    health,
    elected: 0,
    busy: 0,
    errors: null,
    bytesIn: 0,
    bytesOut: 0,
    loadfactor: 1,
    lbset: 0,
    raw: {},
    rates: null,
  };
}

describe("cluster view: one member, one state per frontend", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  const ids: number[] = [];

  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
  });
  afterEach(async () => {
    ids.splice(0).forEach(forgetFrontendLive);
    await cleanup();
  });

  async function seed() {
    const c = await db.cluster.create({ data: { name: "shop" } });
    await db.member.createMany({
      data: [
        { clusterId: c.id, name: "tomcat1", route: "tomcat1", host: "127.0.0.1", httpPort: 8081, ajpPort: 8091 },
        { clusterId: c.id, name: "tomcat2", route: "tomcat2", host: "127.0.0.1", httpPort: 8082, ajpPort: 8092 },
      ],
    });
    const a = await db.frontend.create({
      data: {
        clusterId: c.id,
        name: "a",
        kind: "apache-balancer",
        url: "http://127.0.0.1/balancer-manager",
        balancer: "b",
      },
    });
    const b = await db.frontend.create({
      data: { clusterId: c.id, name: "b", kind: "mod-jk", url: "http://127.0.0.1/jkstatus", balancer: "lb" },
    });
    ids.push(a.id, b.id);
    return { c, a, b };
  }

  function live(
    frontendId: number,
    clusterId: number,
    members: TLiveMember[],
    up = true,
    balancerRaw: Record<string, string> = {},
  ) {
    const at = new Date();
    setFrontendLive({
      frontendId,
      clusterId,
      up,
      error: up ? null : "boom",
      errorCode: up ? null : "TARGET_TIMEOUT",
      lastPollAt: at,
      lastGoodAt: up ? at : null,
      durationMs: 1,
      members,
      stale: !up,
      balancerRaw,
    });
  }

  it("merges by route and flags disagreement between frontends", async () => {
    const { c, a, b } = await seed();
    live(a.id, c.id, [member("tomcat1", 8081, "active", "healthy"), member("tomcat2", 8082, "draining", "healthy")]);
    live(b.id, c.id, [member("tomcat1", 8091, "active", "healthy"), member("tomcat2", 8092, "active", "healthy")]);
    const view = await getClusterView(db, "shop");
    expect(view.members.map((m) => m.name)).toEqual(["tomcat1", "tomcat2"]);
    const [t1, t2] = view.members;
    expect(t1!.states.map((s) => s?.adminState)).toEqual(["active", "active"]);
    expect(t1!.disagreement).toBe(false);
    expect(t2!.states.map((s) => s?.adminState)).toEqual(["draining", "active"]);
    expect(t2!.disagreement).toBe(true);
    expect(view.health).toBe("healthy");
  });

  it("matches by host and port when a frontend has no routes, and shows members the inventory lacks", async () => {
    const { c, a, b } = await seed();
    live(a.id, c.id, [member("", 8081, "active", "healthy"), member("tomcat9", 8089, "active", "healthy")]);
    live(b.id, c.id, [member("tomcat1", 8091, "active", "failing")]);
    const view = await getClusterView(db, "shop");
    const t1 = view.members.find((m) => m.name === "tomcat1")!;
    expect(t1.states.map((s) => s?.health)).toEqual(["healthy", "failing"]);
    expect(t1.health).toBe("degraded");
    const stranger = view.members.find((m) => m.name === "tomcat9")!;
    expect(stranger.memberId).toBeNull();
    // tomcat2 is not listed by an answering frontend: that is a disagreement worth showing.
    expect(view.members.find((m) => m.name === "tomcat2")!.disagreement).toBe(true);
  });

  it("a frontend that does not answer degrades the cluster and marks its readings stale", async () => {
    const { c, a, b } = await seed();
    live(a.id, c.id, [member("tomcat1", 8081, "active", "healthy"), member("tomcat2", 8082, "active", "healthy")]);
    live(b.id, c.id, [member("tomcat1", 8091, "active", "healthy")], false);
    const view = await getClusterView(db, "shop");
    expect(view.frontends.find((f) => f.id === b.id)).toMatchObject({
      up: false,
      error: "boom",
      errorCode: "TARGET_TIMEOUT",
      lastGoodAt: null,
    });
    expect(view.members[0]!.states[1]).toMatchObject({ stale: true, health: "unknown" });
    expect(view.health).toBe("degraded");
    const overview = await getOverview(db);
    expect(overview).toEqual([
      expect.objectContaining({ name: "shop", health: "degraded", frontends: 2, frontendsUp: 1, members: 2 }),
    ]);
  });

  it("carries each kind's balancer settings with what the last poll read, and nothing else of the page", async () => {
    const { c, a, b } = await seed();
    live(a.id, c.id, [], true, { lbmethod: "byrequests", maxattempts: "2", nonce: "secret-nonce", stickysession: "J" });
    live(b.id, c.id, [], true, { method: "Request", retries: "2" });
    const view = ZClusterView.parse(await getClusterView(db, "shop"));
    const [bm, jk] = view.frontends;
    expect(Object.keys(bm!.balancerSettings ?? {})).toEqual(["lbmethod", "nofailover", "timeout", "maxattempts"]);
    expect(bm!.balancerSettings?.maxattempts).toMatchObject({ type: "int", min: 0, max: 99 });
    // httpd's nonce is in balancerRaw for the adapter; it has no business on the wire.
    expect(bm!.balancerValues).toEqual({ lbmethod: "byrequests", maxattempts: "2" });
    expect(Object.keys(jk!.balancerSettings ?? {})).toEqual(["method", "sticky_session", "retries", "recover_time"]);
    expect(jk!.balancerValues).toEqual({ method: "Request", retries: "2" });
  });

  it("an empty cluster says so", async () => {
    await db.cluster.create({ data: { name: "new" } });
    expect((await getClusterView(db, "new")).health).toBe("empty");
  });
});
