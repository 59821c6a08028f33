/**
 * Seeds the lab's session stores with N synthetic sessions, fast, and returns the ground truth.
 *
 *   tsx e2e/lab/seed-sessions.ts --sessions 1000000 --target memcached|redis [--redis-layout redisson|jcoleman]
 *                                [--ttl 3600] [--flush]
 *
 * memcached: MSM non-sticky layout (docs/reference/session-stores.md §1.3/§1.7): on the node named in the id,
 * `<ID>` (TTL --ttl) and `validity:<ID>` (TTL --ttl/2 = maxInactiveInterval); on the other node
 * `bak:<ID>` and `bak:validity:<ID>`. IDs are `<32 HEX>-nX.tomcatN`. Written as raw text-protocol
 * `set … noreply` batches with an `mn` barrier per batch.
 * Redis: Redisson hash `redisson:tomcat_session:<HEX>.tomcatN` (TTL --ttl) by default, or the
 * tomcat-redis-session-manager string `<HEX>.tomcatN` with --redis-layout jcoleman.
 *
 * Session-id and key rules are written inline here from the reference on purpose: the MSM/Redis
 * decoders live in server/adapters/stores/ and this tool must not depend on them.
 * Progress goes to stderr; the ground truth (JSON) to stdout.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { loadLabEnv } from "../../test-support/lab/lab-env";

export const ROUTES = ["tomcat1", "tomcat2", "tomcat3"] as const;

export interface TSeedTruth {
  target: "memcached" | "redis";
  layout: "msm-non-sticky" | "redisson" | "jcoleman";
  sessions: number;
  /** Sessions whose id names the node (memcached) or all on the one Redis (key = endpoint id). */
  sessionsPerNode: Record<string, number>;
  sessionsPerRoute: Record<string, number>;
  /** Keys written per node, all kinds (memcached: 2 per primary session + 2 per backup). */
  keysPerNode: Record<string, number>;
  /** A sample of ids with the node that holds the primary key, for lookup benchmarks. */
  sample: Array<{ id: string; node: string; key: string }>;
  ttlSeconds: number;
  elapsedMs: number;
  /** Every id, when asked for with collectIds. */
  ids?: string[];
}

export interface TSeedOptions {
  sessions: number;
  ttlSeconds?: number;
  flush?: boolean;
  sampleSize?: number;
  progress?: (done: number, total: number) => void;
  /** memcached: also write each session's bak: pair on the next node (default true, as MSM does). */
  backups?: boolean;
  /** Return every id written (TSeedTruth.ids), for a full-scan comparison afterwards. */
  collectIds?: boolean;
}

/** Lab endpoints from lab.env, falling back to lab.sh's defaults when a key (or the file) is missing. */
export function labStoreEndpoints(): { memcached: TStoreNode[]; redis: string[] } {
  let env: Record<string, string> = {};
  try {
    env = loadLabEnv();
  } catch {
    env = {};
  }
  const port = (k: string, d: number) => Number(env[k] ?? d);
  return {
    memcached: [
      { id: "n1", host: "127.0.0.1", port: port("LAB_MEMCACHED1_PORT", 11311) },
      { id: "n2", host: "127.0.0.1", port: port("LAB_MEMCACHED2_PORT", 11312) },
    ],
    redis: [
      `redis://127.0.0.1:${port("LAB_REDIS1_PORT", 16379)}`,
      `redis://127.0.0.1:${port("LAB_REDIS2_PORT", 16380)}`,
    ],
  };
}

// ---- values -------------------------------------------------------------------------------------

/**
 * Java serialization of `Integer(1)`, `"user"`, `"<user>"`: the default JavaSerializationTranscoder
 * attributes blob with one String attribute (java.io.ObjectOutputStream grammar; UIDs of
 * java.lang.Integer 1360826667806852920 and java.lang.Number -8742448824652078965).
 */
function javaAttributesBlob(user: string): Buffer {
  const parts: Buffer[] = [];
  const str = (s: string) => {
    const b = Buffer.from(s, "utf8");
    const h = Buffer.alloc(3);
    h[0] = 0x74; // TC_STRING
    h.writeUInt16BE(b.length, 1);
    parts.push(h, b);
  };
  const utf = (s: string) => {
    const b = Buffer.from(s, "utf8");
    const h = Buffer.alloc(2);
    h.writeUInt16BE(b.length, 0);
    return Buffer.concat([h, b]);
  };
  parts.push(
    Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72]),
    utf("java.lang.Integer"),
    Buffer.from("12e2a0a4f7818738", "hex"),
    Buffer.from([0x02, 0x00, 0x01, 0x49]),
    utf("value"),
    Buffer.from([0x78, 0x72]),
    utf("java.lang.Number"),
    Buffer.from("86ac951d0b94e08b", "hex"),
    Buffer.from([0x02, 0x00, 0x00, 0x78, 0x70, 0x00, 0x00, 0x00, 0x01]),
  );
  str("user");
  str(user);
  return Buffer.concat(parts);
}

/**
 * MSM v2 session value (docs/reference/session-stores.md §1.5): fixed header, embedded id, empty auth, then
 * attributes.
 */
export function msmSessionValue(id: string, nowMs: number, maxInactive: number, user: string): Buffer {
  const idBytes = Buffer.from(id, "utf8");
  const headerLen = 44 + idBytes.length + 2 + 2 + 2 + 2;
  const h = Buffer.alloc(headerLen);
  h.writeUInt16BE(2, 0);
  h.writeUInt16BE(headerLen, 2);
  h.writeBigInt64BE(BigInt(nowMs - 60_000), 4); // creationTime
  h.writeBigInt64BE(BigInt(nowMs), 12); // lastAccessedTime
  h.writeInt32BE(maxInactive, 20);
  h[24] = 0x30; // isNew '0'
  h[25] = 0x31; // isValid '1'
  h.writeBigInt64BE(BigInt(nowMs), 26); // thisAccessedTime
  h.writeBigInt64BE(BigInt(nowMs), 34); // lastBackupTime
  h.writeUInt16BE(idBytes.length, 42);
  idBytes.copy(h, 44);
  // authType 0, principal len 0, saved request len 0, saved principal len 0: already zero.
  return Buffer.concat([h, javaAttributesBlob(user)]);
}

/** MSM validity value: maxInactive (i32), lastAccessed (i64 ms), thisAccessed (i64 ms). */
export function msmValidityValue(nowMs: number, maxInactive: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeInt32BE(maxInactive, 0);
  b.writeBigInt64BE(BigInt(nowMs), 4);
  b.writeBigInt64BE(BigInt(nowMs), 12);
  return b;
}

function hexIds(n: number): string[] {
  const hex = randomBytes(16 * n)
    .toString("hex")
    .toUpperCase();
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = hex.slice(i * 32, i * 32 + 32);
  return out;
}

function setCommand(key: string, ttl: number, value: Buffer): Buffer[] {
  return [Buffer.from(`set ${key} 0 ${ttl} ${value.length} noreply\r\n`), value, Buffer.from("\r\n")];
}

// ---- memcached ----------------------------------------------------------------------------------

/** Spreads sessions round-robin over nodes (id suffix -nX) and routes; backups go to the next node. */
export async function seedMemcachedSessions(nodes: TStoreNode[], o: TSeedOptions): Promise<TSeedTruth> {
  if (nodes.length < 2) throw new Error("MSM non-sticky backups need at least two nodes");
  const started = Date.now();
  const ttl = o.ttlSeconds ?? 3600;
  const maxInactive = Math.max(1, Math.floor(ttl / 2));
  const clients = nodes.map((n) => new MemcachedTextClient({ host: n.host, port: n.port, timeoutMs: 60_000 }));
  const truth = emptyTruth(
    "memcached",
    "msm-non-sticky",
    nodes.map((n) => n.id),
    ttl,
  );
  const withBackups = o.backups ?? true;
  if (o.collectIds) truth.ids = [];
  // Coprime with 6 so the sample covers every node and every route.
  let sampleEvery = Math.max(1, Math.floor(o.sessions / (o.sampleSize ?? 1000)));
  while (sampleEvery > 1 && (sampleEvery % 2 === 0 || sampleEvery % 3 === 0)) sampleEvery--;
  try {
    if (o.flush) await Promise.all(clients.map((c) => c.writeNoReply(Buffer.from("flush_all noreply\r\n"))));
    const batch = 5_000;
    const validity = msmValidityValue(Date.now(), maxInactive);
    for (let base = 0; base < o.sessions; base += batch) {
      const n = Math.min(batch, o.sessions - base);
      const hex = hexIds(n);
      const perNode: Buffer[][] = nodes.map(() => []);
      const now = Date.now();
      for (let j = 0; j < n; j++) {
        const i = base + j;
        const p = i % nodes.length;
        const b = (p + 1) % nodes.length;
        const route = ROUTES[i % ROUTES.length]!;
        const id = `${hex[j]}-${nodes[p]!.id}.${route}`;
        const value = msmSessionValue(id, now, maxInactive, `user${i}`);
        perNode[p]!.push(...setCommand(id, ttl, value), ...setCommand(`validity:${id}`, maxInactive, validity));
        if (withBackups) {
          perNode[b]!.push(
            ...setCommand(`bak:${id}`, ttl, value),
            ...setCommand(`bak:validity:${id}`, maxInactive, validity),
          );
          truth.keysPerNode[nodes[b]!.id]! += 2;
        }
        truth.sessionsPerNode[nodes[p]!.id]! += 1;
        truth.sessionsPerRoute[route] = (truth.sessionsPerRoute[route] ?? 0) + 1;
        truth.keysPerNode[nodes[p]!.id]! += 2;
        truth.ids?.push(id);
        if (i % sampleEvery === 0 && truth.sample.length < (o.sampleSize ?? 1000))
          truth.sample.push({ id, node: nodes[p]!.id, key: id });
      }
      await Promise.all(clients.map((c, k) => c.writeNoReply(Buffer.concat(perNode[k]!))));
      truth.sessions += n;
      o.progress?.(truth.sessions, o.sessions);
    }
  } finally {
    for (const c of clients) c.close();
  }
  truth.elapsedMs = Date.now() - started;
  return truth;
}

// ---- Redis --------------------------------------------------------------------------------------

export async function seedRedisSessions(
  url: string,
  o: TSeedOptions & { layout?: "redisson" | "jcoleman"; nodeId?: string },
): Promise<TSeedTruth> {
  const started = Date.now();
  const ttl = o.ttlSeconds ?? 3600;
  const layout = o.layout ?? "redisson";
  const nodeId = o.nodeId ?? "r1";
  const truth = emptyTruth("redis", layout, [nodeId], ttl);
  const sampleEvery = Math.max(1, Math.floor(o.sessions / (o.sampleSize ?? 1000)));
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 60_000 });
  try {
    if (o.flush) await redis.flushdb();
    const batch = 1_000;
    for (let base = 0; base < o.sessions; base += batch) {
      const n = Math.min(batch, o.sessions - base);
      const hex = hexIds(n);
      const now = Date.now();
      const p = redis.pipeline();
      for (let j = 0; j < n; j++) {
        const i = base + j;
        const route = ROUTES[i % ROUTES.length]!;
        const id = `${hex[j]}.${route}`;
        let key: string;
        if (layout === "redisson") {
          key = `redisson:tomcat_session:${id}`;
          // Real Redisson encodes these with its codec (Kryo5 by default); plain strings here are placeholders.
          p.hset(key, {
            "session:creationTime": String(now - 60_000),
            "session:lastAccessedTime": String(now),
            "session:thisAccessedTime": String(now),
            "session:maxInactiveInterval": String(ttl - 60),
            "session:isValid": "true",
            "session:isNew": "false",
            user: `user${i}`,
          });
          p.expire(key, ttl);
        } else {
          key = id;
          // Placeholder Java serialization stream (a single TC_STRING with the id), not a full StandardSession.
          const idb = Buffer.from(id);
          const v = Buffer.concat([Buffer.from([0xac, 0xed, 0x00, 0x05, 0x74, 0x00, idb.length]), idb]);
          p.set(key, v, "EX", ttl);
        }
        truth.sessionsPerNode[nodeId]! += 1;
        truth.keysPerNode[nodeId]! += 1;
        truth.sessionsPerRoute[route] = (truth.sessionsPerRoute[route] ?? 0) + 1;
        if (i % sampleEvery === 0 && truth.sample.length < (o.sampleSize ?? 1000))
          truth.sample.push({ id, node: nodeId, key });
      }
      const res = await p.exec();
      const failed = res?.find(([e]) => e);
      if (failed) throw failed[0];
      truth.sessions += n;
      o.progress?.(truth.sessions, o.sessions);
    }
  } finally {
    redis.disconnect();
  }
  truth.elapsedMs = Date.now() - started;
  return truth;
}

function emptyTruth(
  target: TSeedTruth["target"],
  layout: TSeedTruth["layout"],
  nodeIds: string[],
  ttl: number,
): TSeedTruth {
  return {
    target,
    layout,
    sessions: 0,
    sessionsPerNode: Object.fromEntries(nodeIds.map((id) => [id, 0])),
    sessionsPerRoute: {},
    keysPerNode: Object.fromEntries(nodeIds.map((id) => [id, 0])),
    sample: [],
    ttlSeconds: ttl,
    elapsedMs: 0,
  };
}

/** Progress printer for stderr: one line per ~5 %. */
export function stderrProgress(label: string): (done: number, total: number) => void {
  let lastPct = -1;
  return (done, total) => {
    const pct = Math.floor((done / total) * 20) * 5;
    if (pct !== lastPct) {
      lastPct = pct;
      process.stderr.write(`${label}: ${done}/${total} (${pct}%)\n`);
    }
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sessions = Number(arg("sessions") ?? 1000);
  const target = arg("target") ?? "memcached";
  const ttlSeconds = Number(arg("ttl") ?? 3600);
  const flush = argv.includes("--flush");
  if (!Number.isInteger(sessions) || sessions <= 0) throw new Error("--sessions must be a positive integer");
  const ep = labStoreEndpoints();
  let truth: TSeedTruth;
  if (target === "memcached") {
    truth = await seedMemcachedSessions(ep.memcached, {
      sessions,
      ttlSeconds,
      flush,
      progress: stderrProgress("memcached"),
    });
  } else if (target === "redis") {
    const layout = arg("redis-layout") === "jcoleman" ? "jcoleman" : "redisson";
    truth = await seedRedisSessions(ep.redis[0]!, {
      sessions,
      ttlSeconds,
      flush,
      layout,
      progress: stderrProgress("redis"),
    });
  } else throw new Error("--target must be memcached or redis");
  const { sample, ...summary } = truth;
  process.stdout.write(`${JSON.stringify({ ...summary, sample: sample.slice(0, 5) }, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
