/**
 * /metrics against the lab: the real Prometheus of the lab (prometheus.sh) scrapes this test's console
 * (the route handler behind a loopback HTTP server, with a viewer API token), `promtool check metrics`
 * lints a scrape, the store nodes' series carry what the nodes themselves answer, every metric name of
 * docs/prometheus-rules.yml and docs/grafana-dashboard.json is in the scrape, and a drain through
 * ClusterDeck shows in Prometheus' own query API.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { expectedAdminState, labFrontends, waitUntilHealthy } from "@/test-support/lab/lab-frontends";
import { createTestDb } from "@/test-support/test-db";
import { processSingleton } from "@/server/process-singleton";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { InventoryCache, setInventoryCache } from "@/server/services/clusters/inventory-cache";
import { createUser } from "@/server/auth/users";
import { createApiToken } from "@/server/auth/api-tokens";
import { Poller, setPoller } from "@/server/poller/poller";
import { getFrontendLive } from "@/server/poller/live-state";
import { getConsoleMetrics, serveMetrics, startMetrics } from "@/server/metrics/metrics-service";
import { StorePoller } from "@/server/store-poller/store-poller";
import { listStoreNodeLive } from "@/server/store-poller/store-live-state";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { labStoreEndpoints, seedMemcachedSessions } from "@/e2e/lab/seed-sessions";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { exposedNames, namesWithSamples, queriedNames } from "@/test-support/metric-names";
import { dashboardQueries, readDashboard } from "@/test-support/grafana-dashboard";
import { GET } from "@/app/metrics/route";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
const PROMETHEUS = labValue(env, "LAB_PROMETHEUS_URL");
const TARGET_FILE = path.join(labValue(env, "LAB_PROMETHEUS_TARGETS_DIR"), "metrics-int-test.json");
const RULES = path.resolve(import.meta.dirname, "../../docs/prometheus-rules.yml");
const who = { principal: null, actor: "integration-test", ip: null };

/** The route handler as the console serves it, on a loopback port. */
function serveRoute(): Promise<{ server: Server; addr: string }> {
  const server = createServer((req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    void GET(new Request(`http://${req.headers.host}${req.url}`, { headers })).then(async (answer) => {
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const a = server.address() as { port: number };
      resolve({ server, addr: `127.0.0.1:${a.port}` });
    }),
  );
}

interface TPromSample {
  metric: Record<string, string>;
  value: [number, string];
}
async function promQuery(query: string): Promise<TPromSample[]> {
  const res = await fetch(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; data: { result: TPromSample[] }; error?: string };
  if (body.status !== "success") throw new Error(`Prometheus: ${body.error}`);
  return body.data.result;
}

/** The value of one series of a scrape, or undefined when the series is absent. */
function sampleOf(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics scraped by the lab's Prometheus", () => {
  let db: PrismaClient;
  let cleanup: () => Promise<void>;
  let poller: Poller;
  let storePoller: StorePoller;
  let cache: InventoryCache;
  let server: Server;
  let addr: string;
  let token: string;

  /** The exposition as a viewer's token reads it. */
  const scrape = () =>
    fetch(`http://${addr}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text());

  /** Resolves once Prometheus has scraped this console `n` more times (its `up` sample's timestamp moved). */
  async function scrapes(n: number): Promise<void> {
    const ts = async () => Number((await promQuery(`timestamp(up{instance="${addr}"})`))[0]?.value[1] ?? 0);
    let last = await ts();
    for (let seen = 0; seen < n;) {
      await vi.waitFor(async () => expect(await ts()).toBeGreaterThan(last), { timeout: 20_000, interval: 250 });
      last = await ts();
      seen++;
    }
  }

  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb());
    processSingleton("db", () => db);
    await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
    await waitUntilHealthy(FRONTENDS);
    const admin = await createUser(db, "metrics-admin", "metrics-admin-password", "admin");
    const principal = {
      userId: admin.id,
      username: admin.username,
      role: "admin" as const,
      via: "cookie" as const,
      csrfToken: null,
      tokenId: null,
      tokenName: null,
    };
    token = (await createApiToken(db, principal, "prometheus", "viewer")).token;
    cache = new InventoryCache(db);
    await cache.start();
    setInventoryCache(cache);
    await startMetrics(db, cache);
    poller = new Poller(db, 8);
    setPoller(poller);
    await poller.start();
    // Store nodes polled every second here (10 s by default), so a fresh reading is a short wait.
    await db.sessionStore.updateMany({ data: { pollIntervalMs: 1_000, timeoutMs: 2_000 } });
    storePoller = new StorePoller(db, 8);
    await storePoller.start();
    const storeNodes = await db.storeNode.count();
    await vi.waitFor(
      () => expect(listStoreNodeLive().filter((l) => l.cluster === "lab" && l.up === true)).toHaveLength(storeNodes),
      { timeout: 30_000, interval: 250 },
    );
    ({ server, addr } = await serveRoute());
    fs.writeFileSync(labValue(env, "LAB_PROMETHEUS_TOKEN_FILE"), token);
    fs.writeFileSync(TARGET_FILE, JSON.stringify([{ targets: [addr], labels: { test: "metrics-int" } }]));
    await vi.waitFor(async () => expect((await promQuery(`up{instance="${addr}"}`))[0]?.value[1]).toBe("1"), {
      timeout: 30_000,
      interval: 500,
    });
  }, 180_000);

  afterAll(async () => {
    fs.rmSync(TARGET_FILE, { force: true });
    await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "active" }, who).catch(() => undefined);
    poller?.stop();
    await storePoller?.stop();
    cache?.stop();
    server?.close();
    await cleanup();
  }, 60_000);

  it("answers 401 without a token and the exposition with a viewer's token", async () => {
    const anonymous = await fetch(`http://${addr}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await fetch(`http://${addr}/metrics`, { headers: { authorization: "Bearer cdk_not-a-token" } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`http://${addr}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await ok.text();
    for (const f of FRONTENDS) expect(text).toContain(`clusterdeck_frontend_up{cluster="lab",frontend="${f.name}"} 1`);
  });

  it("serves the same exposition without a token on CLUSTERDECK_METRICS_ADDR, gzipped when the scraper accepts it", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const listener = await serveMetrics(getConsoleMetrics()!, `127.0.0.1:${port}`);
    try {
      const zipped = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { "accept-encoding": "gzip" } });
      expect(zipped.status).toBe(200);
      expect(zipped.headers.get("content-encoding")).toBe("gzip");
      expect(await zipped.text()).toContain(
        `clusterdeck_frontend_up{cluster="lab",frontend="${FRONTENDS[0]!.name}"} 1`,
      );
      const plain = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { "accept-encoding": "identity" } });
      expect(plain.headers.get("content-encoding")).toBeNull();
      expect(await plain.text()).toContain("# TYPE clusterdeck_store_node_up gauge");
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise((r) => listener.close(r));
    }
  });

  it("passes `promtool check metrics` with no error and no lint warning", async () => {
    const text = await scrape();
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = execFile(labValue(env, "LAB_PROMTOOL"), ["check", "metrics"], (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
      child.stdin!.end(text);
    });
    expect(out).toBe("");
    expect(code).toBe(0);
  });

  it("exports every lab store node, with the values the node itself answers", async () => {
    const [n1, n2] = labStoreEndpoints().memcached as [TStoreNode, TStoreNode];
    // A known set of MSM sessions on flushed n1/n2 (short-lived: later tests empty them again anyway).
    const truth = await seedMemcachedSessions([n1, n2], { sessions: 300, flush: true, ttlSeconds: 300 });
    const seeded = Date.now();
    await sessionScans().awaitScan(db, "lab", seeded, "msm");
    // A poll of both nodes after the seed (polled every second here).
    await vi.waitFor(
      () => {
        for (const n of [n1, n2])
          expect(listStoreNodeLive().find((x) => x.store === "msm" && x.node === n.id)?.readingAt).toBeGreaterThan(
            seeded,
          );
      },
      { timeout: 10_000, interval: 100 },
    );
    const text = await scrape();
    for (const n of await db.storeNode.findMany({ include: { store: true } })) {
      const l = `cluster="lab",store="${n.store.name}",node="${n.name}"`;
      expect(sampleOf(text, `clusterdeck_store_node_up{${l}}`), l).toBe(1);
      expect(sampleOf(text, `clusterdeck_store_node_items{${l}}`), l).toBeGreaterThanOrEqual(0);
      expect(sampleOf(text, `clusterdeck_store_node_restarts_total{${l}}`), l).toBe(0);
      expect(sampleOf(text, `clusterdeck_store_node_last_success_timestamp_seconds{${l}}`), l).toBeGreaterThan(0);
    }
    const client = new MemcachedTextClient({ host: n1.host, port: n1.port, timeoutMs: 5_000 });
    try {
      const l = `cluster="lab",store="msm",node="${n1.id}"`;
      // memcached drops flushed items lazily (curr_items and bytes count them until its LRU crawler
      // reclaims them), so with nothing writing they only go down, and hits only up: a poll taken
      // between two `stats` reads lies between them.
      const before = await client.stats();
      const asked = Date.now();
      await vi.waitFor(
        () =>
          expect(listStoreNodeLive().find((x) => x.store === "msm" && x.node === n1.id)?.readingAt).toBeGreaterThan(
            asked,
          ),
        { timeout: 10_000, interval: 100 },
      );
      const polled = await scrape();
      const after = await client.stats();
      const between = (family: string, stat: string) => {
        const [lo, hi] = [Number(after[stat]), Number(before[stat])].sort((a, b) => a - b) as [number, number];
        const v = sampleOf(polled, `${family}{${l}}`);
        expect(v, family).toBeGreaterThanOrEqual(lo);
        expect(v, family).toBeLessThanOrEqual(hi);
        return v!;
      };
      expect(sampleOf(polled, `clusterdeck_store_node_memory_limit_bytes{${l}}`)).toBe(Number(before.limit_maxbytes));
      expect(between("clusterdeck_store_node_items", "curr_items")).toBeGreaterThanOrEqual(truth.keysPerNode[n1.id]!);
      between("clusterdeck_store_node_memory_used_bytes", "bytes");
      between("clusterdeck_store_node_hits_total", "get_hits");
    } finally {
      client.close();
    }
    for (const n of [n1, n2])
      expect(sampleOf(text, `clusterdeck_store_node_sessions{cluster="lab",store="msm",node="${n.id}"}`), n.id).toBe(
        truth.sessionsPerNode[n.id],
      );
  }, 120_000);

  it("drops a store node's series once it leaves the inventory", async () => {
    const cluster = await db.cluster.findUniqueOrThrow({ where: { name: "lab" } });
    const store = await db.sessionStore.create({
      data: {
        clusterId: cluster.id,
        name: "metrics-extra",
        kind: "memcached-msm",
        pollIntervalMs: 1_000,
        timeoutMs: 2_000,
        nodes: { create: [{ name: "n3", host: "127.0.0.1", port: Number(labValue(env, "LAB_MEMCACHED3_PORT")) }] },
      },
    });
    const series = 'clusterdeck_store_node_up{cluster="lab",store="metrics-extra",node="n3"}';
    try {
      await storePoller.reload();
      await vi.waitFor(async () => expect(sampleOf(await scrape(), series)).toBe(1), {
        timeout: 10_000,
        interval: 250,
      });
    } finally {
      await db.sessionStore.delete({ where: { id: store.id } });
      await storePoller.reload();
    }
    expect(await scrape()).not.toContain('store="metrics-extra"');
  });

  it("has in a live scrape every metric name docs/prometheus-rules.yml and docs/grafana-dashboard.json query", async () => {
    const text = await scrape();
    const exposed = exposedNames(text);
    const rules = queriedNames(fs.readFileSync(RULES, "utf8"));
    const dashboard = queriedNames(dashboardQueries(readDashboard()).join("\n"));
    expect(rules.size).toBeGreaterThan(8);
    expect(dashboard.size).toBeGreaterThan(15);
    for (const name of [...rules, ...dashboard]) expect(exposed, name).toContain(name);
    // The store-node names the rules alert on have samples, not only a TYPE line.
    const sampled = namesWithSamples(text);
    for (const name of rules) if (name.startsWith("clusterdeck_store_node_")) expect(sampled, name).toContain(name);
  });

  it("the dashboard's queries are PromQL the lab's Prometheus evaluates, and its store panels find this console's nodes", async () => {
    await scrapes(1);
    // Grafana's variables as a user picking this test's cluster and job would set them.
    const resolve = (q: string) =>
      q
        .replaceAll("$__rate_interval", "1m")
        .replaceAll('cluster=~"$cluster"', `cluster=~"lab",instance="${addr}"`)
        .replaceAll('job=~"$job"', `instance="${addr}"`);
    for (const q of dashboardQueries(readDashboard()).filter((x) => !x.startsWith("label_values(")))
      await expect(promQuery(resolve(q)), q).resolves.toBeInstanceOf(Array);
    const nodes = await db.storeNode.count();
    expect(await promQuery(resolve('clusterdeck_store_node_items{cluster=~"$cluster"}'))).toHaveLength(nodes);
    const memory = await promQuery(
      resolve(
        'clusterdeck_store_node_memory_used_bytes{cluster=~"$cluster"} / clusterdeck_store_node_memory_limit_bytes{cluster=~"$cluster"}',
      ),
    );
    // One line per node that has a limit (memcached's -m; the lab's Redis runs without maxmemory).
    const limited = listStoreNodeLive()
      .filter((l) => l.cluster === "lab" && l.reading?.memoryLimitBytes)
      .map((l) => `${l.store}/${l.node}`);
    expect(limited).toContain("msm/n1");
    expect(memory.map((r) => `${r.metric.store}/${r.metric.node}`).sort()).toEqual(limited.sort());
  }, 60_000);

  it("a drain of tomcat2 through ClusterDeck reaches Prometheus within two scrapes on every frontend that drains", async () => {
    const drained = await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "draining" }, who);
    expect(drained.overall).toBe("done");
    const canDrain = FRONTENDS.filter((f) => expectedAdminState(f, "draining") === "draining").map((f) => f.name);
    expect(canDrain.length).toBeGreaterThan(0);
    // The console knows once each frontend's next poll read it back (the action itself re-polls).
    const ids = new Map((await db.frontend.findMany()).map((f) => [f.name, f.id]));
    await vi.waitFor(
      () => {
        for (const name of canDrain) {
          const m = getFrontendLive(ids.get(name)!)?.members.find(
            (x) => x.route === "tomcat2" || x.key.includes("18082"),
          );
          expect(m?.adminState, name).toBe("draining");
        }
      },
      { timeout: 20_000, interval: 200 },
    );
    await scrapes(2);
    const result = await promQuery(
      `clusterdeck_member_admin_state{instance="${addr}",member="tomcat2",state="draining"} == 1`,
    );
    expect(result.map((r) => r.metric.frontend).sort()).toEqual([...canDrain].sort());
    // The frontends without a drain (nginx) keep it active, and say so in the same state set.
    const active = await promQuery(
      `clusterdeck_member_admin_state{instance="${addr}",member="tomcat2",state="active"} == 1`,
    );
    expect(active.map((r) => r.metric.frontend).sort()).toEqual(
      FRONTENDS.map((f) => f.name)
        .filter((n) => !canDrain.includes(n))
        .sort(),
    );
    const intended = await promQuery(
      `clusterdeck_member_intended_state{instance="${addr}",member="tomcat2",state="draining"}`,
    );
    expect(intended[0]?.value[1]).toBe("1");

    expect((await applyMemberChange(db, "lab", "tomcat2", { kind: "state", state: "active" }, who)).overall).toBe(
      "done",
    );
  }, 90_000);
});
