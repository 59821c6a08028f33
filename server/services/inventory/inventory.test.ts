import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/test-support/test-db";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { createCaller } from "@/server/api/root";
import { testContext } from "@/test-support/test-context";
import type { PrismaClient } from "@/generated/prisma/client";
import { SETUP } from "@/test-support/test-context";

const GOOD = `
clusters:
  - name: lab
    members:
      - { name: tomcat1, route: tomcat1, host: 127.0.0.1, httpPort: 18081, ajpPort: 18091 }
    frontends:
      - { name: apache-balancer, kind: apache-balancer, url: "http://127.0.0.1:18080/balancer-manager", balancer: tomcats }
`;

describe("inventory", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
  });
  afterEach(() => cleanup());

  it("imports YAML idempotently (upsert by name)", async () => {
    await importInventory(db, parseInventoryYaml(GOOD), SETUP);
    await importInventory(db, parseInventoryYaml(GOOD.replace("18081", "28081")), SETUP);
    const members = await db.member.findMany();
    expect(members).toHaveLength(1);
    expect(members[0]!.httpPort).toBe(28081);
    const f = await db.frontend.findFirstOrThrow();
    expect(f).toMatchObject({ pollIntervalMs: 2000, timeoutMs: 1500, enabled: true });
  });

  it.each([
    ["not YAML", "clusters: [", /not valid YAML/],
    ["unknown kind", GOOD.replace("kind: apache-balancer", "kind: f5"), /clusters\.0\.frontends\.0\.kind/],
    ["bad URL", GOOD.replace('"http://127.0.0.1:18080/balancer-manager"', "ftp://x"), /clusters\.0\.frontends\.0\.url/],
    ["bad port", GOOD.replace("18081", "99999"), /clusters\.0\.members\.0\.httpPort/],
    ["name with spaces", GOOD.replace("name: lab", "name: my lab"), /clusters\.0\.name/],
  ])("rejects %s with the path of the bad field and changes nothing", async (_label, text, message) => {
    expect(() => parseInventoryYaml(text)).toThrow(message);
    expect(await db.cluster.count()).toBe(0);
  });

  it("frontend options: checked by the kind's adapter before anything is written, stored as JSON, kept when an update leaves them out", async () => {
    const nginx = `      - name: nginx
        kind: nginx
        url: "http://127.0.0.1:18110/nginx_status"
        balancer: tomcats
        options: { includeFile: /etc/nginx/clusterdeck/up.conf, testCommand: [nginx, -t], reloadCommand: [nginx, -s, reload], probePath: /app/health }
`;
    await expect(
      importInventory(
        db,
        parseInventoryYaml(GOOD + nginx.replace("includeFile: /etc/nginx/clusterdeck/up.conf", "includeFile: up.conf")),
        SETUP,
      ),
    ).rejects.toThrow("Invalid nginx frontend options: options.includeFile: must be an absolute path");
    await expect(
      importInventory(
        db,
        parseInventoryYaml(GOOD.replace("balancer: tomcats }", "balancer: tomcats, options: { x: 1 } }")),
        SETUP,
      ),
    ).rejects.toThrow(/takes no options/);
    expect(await db.cluster.count()).toBe(0);

    await importInventory(db, parseInventoryYaml(GOOD + nginx), SETUP);
    const stored = await db.frontend.findFirstOrThrow({ where: { name: "nginx" } });
    expect(JSON.parse(stored.options)).toStrictEqual({
      includeFile: "/etc/nginx/clusterdeck/up.conf",
      testCommand: ["nginx", "-t"],
      reloadCommand: ["nginx", "-s", "reload"],
      probePath: "/app/health",
    });
    expect((await db.frontend.findFirstOrThrow({ where: { name: "apache-balancer" } })).options).toBe("{}");

    const caller = createCaller(testContext(db, "operator"));
    await caller.frontend.update({
      id: stored.id,
      data: {
        name: "nginx",
        kind: "nginx",
        url: "http://127.0.0.1:18110/nginx_status",
        balancer: "tomcats",
        pollIntervalMs: 5000,
      },
    });
    expect((await db.frontend.findUniqueOrThrow({ where: { id: stored.id } })).options).toBe(stored.options);
    await expect(
      caller.frontend.update({
        id: stored.id,
        data: {
          name: "nginx",
          kind: "nginx",
          url: "http://127.0.0.1:18110/nginx_status",
          balancer: "tomcats",
          options: {},
        },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await db.frontend.findUniqueOrThrow({ where: { id: stored.id } })).options).toBe(stored.options);
  });

  it("through the API: validates input, reports conflicts and missing rows as typed errors", async () => {
    const caller = createCaller(testContext(db, "operator"));
    const c = await caller.cluster.create({ name: "shop", description: "" });
    await expect(caller.cluster.create({ name: "shop", description: "" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      caller.member.create({ clusterId: c.id, data: { name: "t1", route: "t1", host: "h", httpPort: 0 } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.member.delete({ id: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      caller.frontend.create({
        clusterId: c.id,
        data: { name: "f", kind: "traefik" as "mod-jk", url: "http://x/", balancer: "b" },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const f = await caller.frontend.create({
      clusterId: c.id,
      data: { name: "f", kind: "mod-jk", url: "http://x/jkstatus", balancer: "lb", password: "s3cret" },
    });
    const inv = await caller.cluster.inventory({ name: "shop" });
    expect(inv.frontends[0]).toMatchObject({ id: f.id, hasPassword: true });
    expect(inv.frontends[0]).not.toHaveProperty("password");
    // editing without a new password keeps the stored one
    await caller.frontend.update({
      id: f.id,
      data: { name: "f", kind: "mod-jk", url: "http://x/jkstatus", balancer: "lb2" },
    });
    expect((await db.frontend.findUniqueOrThrow({ where: { id: f.id } })).password).toBe("s3cret");
    await caller.cluster.delete({ name: c.name });
    expect(await db.frontend.count()).toBe(0);
  });
});
