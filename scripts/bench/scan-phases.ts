/**
 * Where a session scan's time goes, phase by phase, in this process (for profiling, not the bench's
 * figures, which are taken on the console process): `raw` reads both nodes' `lru_crawler metadump hash`
 * to END; `scanner` adds the line parser; `msm` the MSM key classification; `build` the whole index;
 * `verify` then times what "safe to stop?" does for tomcat2 with that index.
 *
 *   npx tsx e2e/lab/seed-sessions.ts --sessions 1000000 --flush      # lab memcached n1/n2
 *   npx tsx scripts/bench/scan-phases.ts build 3                     # or: node --cpu-prof --import tsx …
 *
 * SCAN_NODES=127.0.0.1:21411,127.0.0.1:21412 reads those memcached servers instead of the lab's (named
 * n1, n2, … in that order), so profiling does not disturb a lab in use; `seed N` FLUSHES them and writes
 * N sessions as seed-sessions.ts does. `build` also prints the index's counts and a checksum of every
 * row (id and fields), to check that a change to the scan or the builder keeps the index the same.
 */
import net from "node:net";
import { labStoreEndpoints, seedMemcachedSessions } from "@/e2e/lab/seed-sessions";
import { rawEvacuation, rawMetadump } from "@/scripts/bench/raw-memcached";
import { idAt } from "@/server/adapters/stores/scan-batch";
import { MetadumpScanner } from "@/server/adapters/stores/memcached-text/metadump-scanner";
import { scanMsmNode } from "@/server/adapters/stores/memcached-msm/scan";
import { SegmentBuilder } from "@/server/services/sessions/session-index/segment-builder";
import type { TStoreNode } from "@/server/adapters/stores/types";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { getStoreAdapter } from "@/server/adapters/registry";
import { routeSessions } from "@/server/services/sessions/session-index/route-sessions";
import { NO_TIME, type TStoreSegment } from "@/server/services/sessions/session-index/segment";

const ep = labStoreEndpoints();
const nodes: TStoreNode[] = process.env.SCAN_NODES
  ? process.env.SCAN_NODES.split(",").map((hp, i) => {
      const [host, port] = hp.split(":");
      return { id: `n${i + 1}`, host: host!, port: Number(port) };
    })
  : ep.memcached.slice(0, 2);
const mode = process.argv[2] ?? "raw";

/**
 * FNV-1a over every row's id and fields, in index order, nodes and routes by name (their numbers follow
 * which node answered first). Expiry and last access move with the clock: only whether they are set.
 */
function segmentChecksum(seg: TStoreSegment): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    h = Math.imul(h ^ (v & 0xffff), 0x01000193);
    h = Math.imul(h ^ (v >>> 16), 0x01000193);
  };
  const nameHash = (names: string[]) =>
    names.map((n) => [...n].reduce((a, c) => Math.imul(a ^ c.charCodeAt(0), 31), 7));
  const nodeHash = nameHash(seg.nodes);
  const routeHash = nameHash(seg.routes);
  for (let i = 0; i < seg.ids.length; i++) {
    const { bytes, start, end } = seg.ids.locate(i);
    for (let k = start; k < end; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
    mix(nodeHash[seg.node[i]!]!);
    mix(routeHash[seg.route[i]!]!);
    mix(seg.size[i]!);
    mix(seg.copies[i]!);
    mix(seg.backed[i]!);
    mix(seg.expiresAt[i] === NO_TIME ? 0 : 1);
    mix(seg.lastAccess[i] === NO_TIME ? 0 : 1);
  }
  return (h >>> 0).toString(16);
}

function dump(node: TStoreNode, onChunk: (c: Buffer) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(node.port, node.host, () => sock.write("lru_crawler metadump hash\r\n"));
    let bytes = 0;
    sock.on("data", (c: Buffer) => {
      bytes += c.length;
      if (onChunk(c)) {
        sock.destroy();
        resolve(bytes);
      }
    });
    sock.on("error", reject);
  });
}
const endsWithEnd = (c: Buffer) => c.length >= 5 && c.toString("latin1", c.length - 5) === "END\r\n";

async function once(): Promise<string> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let info: string;
  if (mode === "seed") {
    if (!process.env.SCAN_NODES) throw new Error("seed flushes the nodes: only with SCAN_NODES");
    const truth = await seedMemcachedSessions(nodes, { sessions: Number(process.argv[3] ?? 1_000_000), flush: true });
    info = `seeded ${truth.sessions}: ${JSON.stringify({ perNode: truth.sessionsPerNode, perRoute: truth.sessionsPerRoute, keys: truth.keysPerNode })}`;
  } else if (mode === "redis") {
    // The Redis adapter's scan of r1 (seed it first: seed-sessions.ts --target redis).
    const url = new URL(ep.redis[0]!);
    const node = { id: "r1", host: url.hostname, port: Number(url.port) };
    const store = { id: 0, name: "r", kind: "redis", nodes: [node], options: { layout: "redisson" } };
    let sessions = 0;
    for await (const b of getStoreAdapter("redis").scanNode!(store as unknown as TStoreConfig, node))
      sessions += b.sessions.count;
    info = `sessions ${sessions}`;
  } else if (mode === "evacuate") {
    // FLUSHES n1/n2: 200,000 sessions without backups, then n1's evacuated as the operation does (4 lanes of 1,000).
    await seedMemcachedSessions(nodes, { sessions: 200_000, flush: true, backups: false });
    const ids: string[] = [];
    for await (const b of scanMsmNode(nodes[0]!, ""))
      for (let i = 0; i < b.sessions.count; i++) ids.push(idAt(b.sessions, i));
    const store = { id: 0, name: "bench", kind: "memcached-msm", nodes, options: {} } as unknown as TStoreConfig;
    const evacuator = getStoreAdapter("memcached-msm").openNodeEvacuator!(store, nodes[0]!.id);
    const te = performance.now();
    const ce = process.cpuUsage();
    let next = 0;
    let changed = 0;
    const lane = async () => {
      while (next < ids.length) {
        const batch = ids.slice(next, next + 1_000);
        next += 1_000;
        for (const o of await evacuator.ensure(batch, false)) if (o.result === "changed") changed++;
      }
    };
    await Promise.all(Array.from({ length: Number(process.env.LANES ?? 4) }, lane));
    evacuator.close();
    const c = process.cpuUsage(ce);
    info = `evacuated ${ids.length} (${changed} changed) in ${(performance.now() - te).toFixed(0)} ms, cpu ${((c.user + c.system) / 1e6).toFixed(2)} s`;
  } else if (mode === "rawevac") {
    // The bench's raw side of `evacuate`: the same reseed, then metadump n1 and rawEvacuation (timed alone).
    await seedMemcachedSessions(nodes, { sessions: 200_000, flush: true, backups: false });
    const keys: string[] = [];
    await rawMetadump(nodes[0]!, keys);
    const ids = keys.filter((k) => !k.startsWith("validity:"));
    const te = performance.now();
    const ce = process.cpuUsage();
    const copied = await rawEvacuation(nodes[0]!, nodes[1]!, ids);
    const c = process.cpuUsage(ce);
    info = `raw-evacuated ${ids.length} (${copied} keys copied) in ${(performance.now() - te).toFixed(0)} ms, cpu ${((c.user + c.system) / 1e6).toFixed(2)} s`;
  } else if (mode === "rawonread") {
    const b = await Promise.all(
      nodes.map(
        (n) =>
          new Promise<number>((resolve) => {
            let bytes = 0;
            const buf = Buffer.allocUnsafe(256 * 1024);
            const sock = net.connect(
              {
                port: n.port,
                host: n.host,
                onread: {
                  buffer: buf,
                  callback: (len) => {
                    bytes += len;
                    if (len >= 5 && buf.toString("latin1", len - 5, len) === "END\r\n") {
                      sock.destroy();
                      resolve(bytes);
                    }
                    return true;
                  },
                },
              },
              () => sock.write("lru_crawler metadump hash\r\n"),
            );
          }),
      ),
    );
    info = `bytes ${b.reduce((a, x) => a + x, 0)}`;
  } else if (mode === "raw") {
    const b = await Promise.all(nodes.map((n) => dump(n, endsWithEnd)));
    info = `bytes ${b.reduce((a, x) => a + x, 0)}`;
  } else if (mode === "scanner") {
    let items = 0;
    await Promise.all(
      nodes.map((n) => {
        const s = new MetadumpScanner();
        return dump(n, (c) => {
          s.push(c, () => {
            items++;
          });
          return s.done;
        });
      }),
    );
    info = `items ${items}`;
  } else if (mode === "msm") {
    let sessions = 0;
    await Promise.all(
      nodes.map(async (n) => {
        for await (const b of scanMsmNode(n, "")) sessions += b.sessions.count;
      }),
    );
    info = `sessions ${sessions}`;
  } else {
    const builder = new SegmentBuilder("bench", null, Date.now());
    await Promise.all(
      nodes.map(async (n) => {
        for await (const b of scanMsmNode(n, "")) builder.add(n.id, b);
        builder.completeNode(n.id);
      }),
    );
    const tc = performance.now();
    const seg = builder.commit();
    info = `rows ${seg.ids.length} commit ${(performance.now() - tc).toFixed(0)} ms`;
    const perNode = Object.fromEntries(seg.nodes.map((n, i) => [n, seg.counts.perNode[i]]));
    const perRoute = Object.fromEntries(seg.routes.map((r, i) => [r, seg.counts.perRoute[i]]));
    const unbacked = [...seg.counts.unbackedPerNode].reduce((a, x) => a + x, 0);
    const keys = Object.fromEntries(Object.entries(seg.nodeScans).map(([n, s]) => [n, s.keys]));
    info += ` ${JSON.stringify({ perNode, perRoute, unbacked, keys })} checksum ${segmentChecksum(seg)}`;
    if (mode === "verify") {
      // What "safe to stop?" does for one member once the index is there: list its rows, check each primary.
      const store = { id: 0, name: "bench", kind: "memcached-msm", nodes, options: {} } as unknown as TStoreConfig;
      for (let round = 0; round < 3; round++) {
        const tv = performance.now();
        const cv = process.cpuUsage();
        const sessions = routeSessions(seg, "tomcat2");
        const listed = performance.now() - tv;
        const v = await getStoreAdapter("memcached-msm").verifyRoute!(store, "tomcat2", sessions);
        const c = process.cpuUsage(cv);
        info += `\n  verify tomcat2: ${(performance.now() - tv).toFixed(0)} ms (listing ${listed.toFixed(0)} ms), cpu ${((c.user + c.system) / 1e6).toFixed(2)} s, ${v.safe}/${v.checked} safe`;
      }
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return `${mode}: ${(performance.now() - t0).toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, ${info}`;
}
const rounds = mode === "seed" ? 1 : Number(process.argv[3] ?? 2);
for (let i = 0; i < rounds; i++) console.log(await once());
process.exit(0);
