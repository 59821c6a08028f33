/**
 * Benchmark of the session-store transport: `npm run bench` (tsx scripts/bench/run.ts [--sessions N]).
 *
 * FLUSHES the lab's memcached n1/n2 and Redis r1 (the lab is disposable), seeds N sessions (default
 * 1,000,000), then measures key enumeration against raw baselines, single-session lookups, the
 * session index (build + queries), evacuating a node of 100,000 sessions, and the process's peak RSS. Prints a table and writes BENCHMARKS.md. Stops by itself (hard limit below).
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import memjs from "memjs";
import { Redis } from "ioredis";
import {
  labStoreEndpoints,
  seedMemcachedSessions,
  seedRedisSessions,
  stderrProgress,
  type TSeedTruth,
} from "@/e2e/lab/seed-sessions";
import {
  enumerateMemcachedKeyBatches,
  enumerateMemcachedKeys,
  readMemcachedNodeStats,
} from "@/server/adapters/stores/memcached-msm/enumerate";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { enumerateRedisKeyBatches } from "@/server/adapters/stores/redis/enumerate";
import type { TStoreNode } from "@/server/adapters/stores/types";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { getStoreAdapter } from "@/server/adapters/registry";
import { SessionIndexBuilder } from "@/server/services/sessions/session-index/table";
import { querySessionIndex } from "@/server/services/sessions/session-index/query";
import { startEvacuateStoreNode } from "@/server/services/operations/evacuate-store-node";
import { importInventory, parseInventoryYaml } from "@/server/services/inventory/inventory";
import { createTestDb } from "@/test-support/test-db";

const HARD_LIMIT_MS = 20 * 60_000;
const REPO = path.resolve(import.meta.dirname, "../..");

interface TRow {
  what: string;
  ours: string;
  raw: string;
  ratio: string;
  oursRss: string;
  note: string;
}

/** Samples RSS every 20 ms while `fn` runs; returns its result, wall time and the peak RSS seen. */
async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, ms: performance.now() - t0, peakRssMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Raw baseline: the same `lru_crawler metadump all` read to END over a socket, no parsing beyond the END check. */
function rawMetadump(node: TStoreNode): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let tail = Buffer.alloc(0);
    const sock = net.createConnection({ host: node.host, port: node.port }, () =>
      sock.write("lru_crawler metadump all\r\n"),
    );
    const timer = setTimeout(() => sock.destroy(new Error("raw metadump timed out")), 120_000);
    sock.on("data", (d: Buffer) => {
      bytes += d.length;
      tail = Buffer.concat([tail, d]).subarray(-5);
      if (tail.toString() === "END\r\n") {
        clearTimeout(timer);
        sock.destroy();
        resolve(bytes);
      }
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** `redis-cli --scan` (redis-tools 7.0 has no --count, so it SCANs with the server default COUNT 10). null if missing. */
async function redisCliScan(url: string, match: string): Promise<number | null> {
  const u = new URL(url);
  if (spawnSync("redis-cli", ["--version"]).status !== 0) return null;
  {
    const n = await new Promise<number>((resolve, reject) => {
      const p = spawn("redis-cli", ["-h", u.hostname, "-p", u.port, "--scan", "--pattern", match]);
      let lines = 0;
      p.stdout.on("data", (d: Buffer) => {
        for (const b of d) if (b === 0x0a) lines++;
      });
      p.on("error", reject);
      p.on("close", (code) => (code === 0 ? resolve(lines) : reject(new Error(`redis-cli exited ${code}`))));
    });
    return n;
  }
}

/** Bare SCAN … COUNT 1000 loop, keys counted and dropped: the same round trips as ours without TTL/size. */
async function bareScan(url: string, match: string): Promise<number> {
  const r = new Redis(url);
  let n = 0;
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "MATCH", match, "COUNT", 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== "0");
  r.disconnect();
  return n;
}

function best<T extends { ms: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 3 : 0)} ms`);
const fmtRate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")}/s`;

async function main(): Promise<void> {
  const sessionsArg = process.argv.indexOf("--sessions");
  const sessions = sessionsArg >= 0 ? Number(process.argv[sessionsArg + 1]) : 1_000_000;
  const ep = labStoreEndpoints();
  const redisUrl = ep.redis[0]!;
  process.stderr.write(
    `bench: FLUSHING lab memcached ${ep.memcached.map((n) => `${n.id}@${n.port}`).join(", ")} and Redis r1 ${redisUrl} (the lab is disposable), seeding ${sessions} sessions each\n`,
  );

  const seedMc = await measure(() =>
    seedMemcachedSessions(ep.memcached, { sessions, flush: true, progress: stderrProgress("seed memcached") }),
  );
  const seedRedis = await measure(() =>
    seedRedisSessions(redisUrl, { sessions, flush: true, layout: "redisson", progress: stderrProgress("seed redis") }),
  );
  const mcTruth: TSeedTruth = seedMc.value;
  const expectedMcKeys = Object.values(mcTruth.keysPerNode).reduce((a, b) => a + b, 0);
  const nodeStats = await Promise.all(ep.memcached.map((n) => readMemcachedNodeStats(n)));
  const rows: TRow[] = [];

  // (a) memcached enumeration: ours (parsed TStoredKey) vs raw socket read of the same dump.
  process.stderr.write("bench: (a) memcached enumeration\n");
  const oursBatches = [] as Array<{ ms: number; peakRssMb: number; value: number }>;
  const oursFlat = [] as Array<{ ms: number; peakRssMb: number; value: number }>;
  const raws = [] as Array<{ ms: number; value: number }>;
  for (let i = 0; i < 2; i++) {
    raws.push(
      await measure(async () => {
        let b = 0;
        for (const n of ep.memcached) b += await rawMetadump(n);
        return b;
      }),
    );
    oursBatches.push(
      await measure(async () => {
        let n = 0;
        for await (const batch of enumerateMemcachedKeyBatches(ep.memcached, { concurrency: 1 })) n += batch.length;
        return n;
      }),
    );
    oursFlat.push(
      await measure(async () => {
        let n = 0;
        for await (const _ of enumerateMemcachedKeys(ep.memcached, { concurrency: 1 })) n++;
        return n;
      }),
    );
  }
  const rawA = best(raws);
  const ob = best(oursBatches);
  const of = best(oursFlat);
  rows.push({
    what: `memcached enumerate ${ob.value.toLocaleString("en-US")} keys (2 nodes, sequential), batches`,
    ours: `${fmtMs(ob.ms)} (${fmtRate(ob.value, ob.ms)})`,
    raw: `${fmtMs(rawA.ms)} (${(rawA.value / 2 ** 20).toFixed(0)} MiB read)`,
    ratio: (ob.ms / rawA.ms).toFixed(2),
    oursRss: `${ob.peakRssMb.toFixed(0)} MiB`,
    note: `expected ${expectedMcKeys.toLocaleString("en-US")} keys`,
  });
  rows.push({
    what: "memcached enumerate, one TStoredKey per iteration step",
    ours: `${fmtMs(of.ms)} (${fmtRate(of.value, of.ms)})`,
    raw: fmtMs(rawA.ms),
    ratio: (of.ms / rawA.ms).toFixed(2),
    oursRss: `${of.peakRssMb.toFixed(0)} MiB`,
    note: `${of.value.toLocaleString("en-US")} keys`,
  });
  const par = await measure(async () => {
    let n = 0;
    for await (const batch of enumerateMemcachedKeyBatches(ep.memcached, { concurrency: 2 })) n += batch.length;
    return n;
  });
  rows.push({
    what: "memcached enumerate, batches, both nodes in parallel",
    ours: `${fmtMs(par.ms)} (${fmtRate(par.value, par.ms)})`,
    raw: fmtMs(rawA.ms),
    ratio: (par.ms / rawA.ms).toFixed(2),
    oursRss: `${par.peakRssMb.toFixed(0)} MiB`,
    note: "raw = sequential",
  });

  // (b) Redis enumeration: ours (SCAN + PTTL + MEMORY USAGE) vs redis-cli --scan.
  process.stderr.write("bench: (b) redis enumeration\n");
  const match = "redisson:tomcat_session:*";
  const cliB = await measure(() => redisCliScan(redisUrl, match));
  const rawB = await measure(() => bareScan(redisUrl, match));
  const oursB = await measure(async () => {
    let n = 0;
    for await (const batch of enumerateRedisKeyBatches(redisUrl, { match, count: 1000, nodeId: "r1" }))
      n += batch.length;
    return n;
  });
  const oursBnoSize = await measure(async () => {
    let n = 0;
    for await (const batch of enumerateRedisKeyBatches(redisUrl, { match, count: 1000, nodeId: "r1", size: "none" }))
      n += batch.length;
    return n;
  });
  rows.push({
    what: `redis enumerate ${oursB.value.toLocaleString("en-US")} keys: SCAN + PTTL + MEMORY USAGE`,
    ours: `${fmtMs(oursB.ms)} (${fmtRate(oursB.value, oursB.ms)})`,
    raw: `${fmtMs(rawB.ms)} (bare SCAN COUNT 1000, ${rawB.value.toLocaleString("en-US")} keys)`,
    ratio: (oursB.ms / rawB.ms).toFixed(2),
    oursRss: `${oursB.peakRssMb.toFixed(0)} MiB`,
    note: `seeded ${seedRedis.value.sessions.toLocaleString("en-US")}; SCAN may repeat keys`,
  });
  if (cliB.value !== null) {
    rows.push({
      what: "redis: raw redis-cli --scan (COUNT 10 default) for reference",
      ours: fmtMs(oursB.ms),
      raw: `${fmtMs(cliB.ms)} (${cliB.value.toLocaleString("en-US")} keys)`,
      ratio: (oursB.ms / cliB.ms).toFixed(2),
      oursRss: "",
      note: "redis-tools 7.0 has no --count",
    });
  }
  rows.push({
    what: "redis enumerate: SCAN + PTTL only",
    ours: `${fmtMs(oursBnoSize.ms)} (${fmtRate(oursBnoSize.value, oursBnoSize.ms)})`,
    raw: fmtMs(rawB.ms),
    ratio: (oursBnoSize.ms / rawB.ms).toFixed(2),
    oursRss: `${oursBnoSize.peakRssMb.toFixed(0)} MiB`,
    note: "",
  });

  // (c) one session by id: mg on the node named in the id, vs memjs (binary get) on the same node.
  process.stderr.write("bench: (c) lookups\n");
  const sample = mcTruth.sample;
  const byId = new Map(ep.memcached.map((n) => [n.id, n]));
  const textClients = new Map(
    ep.memcached.map((n) => [n.id, new MemcachedTextClient({ host: n.host, port: n.port, timeoutMs: 5000 })]),
  );
  const memjsClients = new Map(
    ep.memcached.map((n) => [n.id, memjs.Client.create(`${n.host}:${n.port}`, { retries: 0, timeout: 5 })]),
  );
  // Node id taken from the id inline (text between "-" and "."), per session-stores.md §1.2.
  const nodeOf = (id: string) => id.slice(id.indexOf("-") + 1, id.indexOf("."));
  let misses = 0;
  for (const s of sample.slice(0, 50)) await textClients.get(nodeOf(s.id))!.metaGet(s.id); // warm-up
  const mgRun = await measure(async () => {
    for (const s of sample) if (!(await textClients.get(nodeOf(s.id))!.metaGet(s.id))) misses++;
    return sample.length;
  });
  let memjsMisses = 0;
  const memjsRun = await measure(async () => {
    for (const s of sample) if (!(await memjsClients.get(nodeOf(s.id))!.get(s.id)).value) memjsMisses++;
    return sample.length;
  });
  for (const c of textClients.values()) c.close();
  for (const c of memjsClients.values()) c.close();
  rows.push({
    what: `lookup one session by id (mg v t s f), mean of ${sample.length}`,
    ours: fmtMs(mgRun.ms / sample.length),
    raw: `${fmtMs(memjsRun.ms / sample.length)} (memjs get)`,
    ratio: (mgRun.ms / memjsRun.ms).toFixed(2),
    oursRss: "",
    note: `misses: ours ${misses}, memjs ${memjsMisses}; nodes: ${[...byId.keys()].join(",")}`,
  });

  // (d) the session index over both stores' 2,000,000 sessions: build (full scan) and queries.
  process.stderr.write("bench: (d) session index\n");
  rows.push(...(await benchSessionIndex(ep, redisUrl, rawA.ms, sample[0]!.id)));

  // (e) evacuate a memcached node of 100,000 sessions (none has its backup pair yet).
  process.stderr.write("bench: (e) evacuation of 100,000 sessions\n");
  rows.push(...(await benchEvacuation(ep)));

  const peakRss = (process.resourceUsage().maxRSS / 1024).toFixed(0);
  const header = ["measure", "ours", "raw baseline", "ours/raw", "peak RSS in phase", "note"];
  const table = [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.what} | ${r.ours} | ${r.raw} | ${r.ratio} | ${r.oursRss} | ${r.note} |`),
  ].join("\n");
  const mcVersion = nodeStats[0]?.version ?? "?";
  const redisInfo = await (async () => {
    const r = new Redis(redisUrl);
    const info = await r.info("server");
    r.disconnect();
    return /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
  })();
  const facts = [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
    `- Node ${process.version}; memcached ${mcVersion}; Redis ${redisInfo}; ioredis 6.0.0; memjs 1.3.2`,
    `- Seeded: ${sessions.toLocaleString("en-US")} MSM non-sticky sessions over n1/n2 (${expectedMcKeys.toLocaleString("en-US")} keys: id, validity:, bak:, bak:validity:) in ${fmtMs(seedMc.ms)}; ` +
      `${seedRedis.value.sessions.toLocaleString("en-US")} Redisson hashes in Redis r1 in ${fmtMs(seedRedis.ms)}`,
    `- memcached after seeding: ${nodeStats.map((s) => `${s.node} items=${s.items} bytes=${s.bytes} evictions=${s.evictions} limit=${s.limitBytes}`).join("; ")}`,
    `- Process peak RSS (whole run, incl. seeding): ${peakRss} MiB`,
  ].join("\n");
  const out = `${facts}\n\n${table}\n`;
  process.stdout.write(`\n${out}`);

  const md = `# Benchmarks: session stores, session index, evacuation

Generated by \`npm run bench\` (scripts/bench/run.ts). Do not edit by hand; re-run to refresh.

${facts}

${table}

Enumeration times are the best of 2 runs for the sequential variants (1 run otherwise). "raw" for
memcached is the same \`lru_crawler metadump all\` read to \`END\` over a plain socket with no parsing;
for Redis it is \`redis-cli --scan\` (or a bare SCAN loop when redis-tools is missing). Lookups are
sequential round trips on loopback. Peak RSS per phase is sampled every 20 ms.

## How to reproduce

\`\`\`
bash e2e/lab/lab.sh up        # memcached n1/n2, Redis r1/r2 (ports in .lab/lab.env)
npm run bench                 # FLUSHES lab memcached n1/n2 and Redis r1, seeds 1,000,000 sessions
npm run bench -- --sessions 100000   # smaller run
\`\`\`
`;
  fs.writeFileSync(path.join(REPO, "BENCHMARKS.md"), md);
  process.stderr.write("bench: wrote BENCHMARKS.md\n");
}

/** Index build through the adapters (what the console's background scan does) and queries on it. */
async function benchSessionIndex(
  ep: ReturnType<typeof labStoreEndpoints>,
  redisUrl: string,
  rawMetadumpMs: number,
  someId: string,
): Promise<TRow[]> {
  const r1 = new URL(redisUrl);
  const stores: TStoreConfig[] = [
    { name: "msm", kind: "memcached-msm", nodes: ep.memcached, options: { storageKeyPrefix: "", failoverNodes: [] } },
    {
      name: "redisson",
      kind: "redis",
      nodes: [{ id: "r1", host: r1.hostname, port: Number(r1.port) }],
      options: { layout: "redisson", db: 0 },
    },
  ];
  globalThis.gc?.(); // (npm run bench exposes gc) so the before/after difference is what the index holds
  const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const build = await measure(async () => {
    const b = new SessionIndexBuilder();
    for (const store of stores)
      for await (const rows of getStoreAdapter(store.kind).enumerateSessions!(store)) b.add(store.name, rows);
    return b.finish();
  });
  const t = build.value;
  globalThis.gc?.();
  const heldMb = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore) / 2 ** 20;
  const q = (query: Parameters<typeof querySessionIndex>[1]) => {
    const runs = Array.from({ length: 5 }, () => {
      const t0 = performance.now();
      const page = querySessionIndex(t, query);
      return { ms: performance.now() - t0, page };
    });
    return best(runs);
  };
  const byId = q({ q: someId });
  const byPrefix = q({ q: someId.slice(0, 4), limit: 50 });
  const byNode = q({ store: "msm", node: "n1", limit: 50 });
  const byIdle = q({ sort: "idle", dir: "desc", limit: 50 });
  const deep = q({ sort: "size", offset: 500_000, limit: 50 });
  const scan = `${fmtMs(rawMetadumpMs)} (metadump of both nodes: a search without the index)`;
  const row = (what: string, r: { ms: number; page: { matched: number } }): TRow => ({
    what,
    ours: fmtMs(r.ms),
    raw: scan,
    ratio: (r.ms / rawMetadumpMs).toFixed(5),
    oursRss: "",
    note: `${r.page.matched.toLocaleString("en-US")} matched`,
  });
  return [
    {
      what: `session index build: ${t.ids.length.toLocaleString("en-US")} sessions (MSM 2 nodes + Redis), scan + sort`,
      ours: `${fmtMs(build.ms)} (${fmtRate(t.ids.length, build.ms)})`,
      raw: `${fmtMs(rawMetadumpMs)} (metadump only; Redis SCAN extra)`,
      ratio: (build.ms / rawMetadumpMs).toFixed(2),
      oursRss: `${build.peakRssMb.toFixed(0)} MiB`,
      note: `index holds ~${heldMb.toFixed(0)} MiB of heap`,
    },
    row("session table: exact id", byId),
    row("session table: id prefix (4 hex digits), first page", byPrefix),
    row("session table: store node n1, first page", byNode),
    row("session table: all, sorted by idle, first page", byIdle),
    row("session table: all, sorted by size, page at offset 500,000", deep),
  ];
}

/** Seeds 200,000 sessions without bak: pairs (100,000 name n1), then evacuates n1 as the console does. */
async function benchEvacuation(ep: ReturnType<typeof labStoreEndpoints>): Promise<TRow[]> {
  const truth = await seedMemcachedSessions(ep.memcached, {
    sessions: 200_000,
    flush: true,
    backups: false,
    progress: stderrProgress("seed for evacuation"),
  });
  const { db, cleanup } = await createTestDb();
  try {
    await importInventory(
      db,
      parseInventoryYaml(
        `clusters:\n  - name: bench\n    members: []\n    stores:\n      - { name: msm, kind: memcached-msm, nodes: [${ep.memcached.map((n) => `{ name: ${n.id}, host: ${n.host}, port: ${n.port} }`).join(", ")}] }\n`,
      ),
    );
    const ours = await measure(async () => {
      const op = await startEvacuateStoreNode(
        db,
        { cluster: "bench", store: "msm", node: "n1", dryRun: false },
        { principal: null, ip: null },
      );
      for (;;) {
        const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
        if (o.state === "done" || o.state === "failed") return o;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    // Raw: the same 200,000 keys (n1's id + validity:) copied as bak: pairs with memjs get/set, 200 at a time, no checks.
    await seedMemcachedSessions(ep.memcached, { sessions: 200_000, flush: true, backups: false });
    const n1Ids: string[] = [];
    for await (const batch of enumerateMemcachedKeyBatches([ep.memcached[0]!]))
      for (const k of batch) if (!k.key.startsWith("validity:")) n1Ids.push(k.key);
    const src = memjs.Client.create(`${ep.memcached[0]!.host}:${ep.memcached[0]!.port}`, { retries: 0, timeout: 5 });
    const dst = memjs.Client.create(`${ep.memcached[1]!.host}:${ep.memcached[1]!.port}`, { retries: 0, timeout: 5 });
    const raw = await measure(async () => {
      for (let i = 0; i < n1Ids.length; i += 200) {
        await Promise.all(
          n1Ids.slice(i, i + 200).map(async (id) => {
            for (const [from, to] of [
              [id, `bak:${id}`],
              [`validity:${id}`, `bak:validity:${id}`],
            ] as const) {
              const got = await src.get(from);
              if (got.value) await dst.set(to, got.value, { expires: 3600 });
            }
          }),
        );
      }
      return n1Ids.length;
    });
    src.close();
    dst.close();
    const o = ours.value;
    return [
      {
        what: `evacuate MSM node n1: ${o.total.toLocaleString("en-US")} sessions (list, copy bak: pairs by add/CAS with remaining TTL, read back, journal)`,
        ours: `${fmtMs(ours.ms)} (${fmtRate(o.total, ours.ms)})`,
        raw: `${fmtMs(raw.ms)} (memjs get + set of the same pairs, no checks)`,
        ratio: (ours.ms / raw.ms).toFixed(2),
        oursRss: `${ours.peakRssMb.toFixed(0)} MiB`,
        note: `state ${o.state}: ${o.changed.toLocaleString("en-US")} copied, ${o.failedCount} failed; seeded ${truth.sessions.toLocaleString("en-US")}`,
      },
    ];
  } finally {
    await cleanup();
  }
}

const hard = setTimeout(() => {
  process.stderr.write(`bench: hard limit of ${HARD_LIMIT_MS / 60_000} min reached, stopping\n`);
  process.exit(2);
}, HARD_LIMIT_MS);
hard.unref();

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
