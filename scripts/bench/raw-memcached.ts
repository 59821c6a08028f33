/**
 * Raw baselines over plain sockets: the least work a tool must do to get the same answer from memcached,
 * with no index, no journal and no parsing beyond finding where a reply ends.
 */
import net from "node:net";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";

/**
 * `lru_crawler metadump hash` (the crawl mode the console uses) read to END; BUSY waited out. With
 * `collect`, the keys of the item lines, decoded (memcached uri-encodes them in metadump lines).
 */
export function rawMetadump(node: TStoreNode, collect?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let rest = "";
    let tail = Buffer.alloc(0);
    const sock = net.createConnection({ host: node.host, port: node.port }, () =>
      sock.write("lru_crawler metadump hash\r\n"),
    );
    const timer = setTimeout(() => sock.destroy(new Error("raw metadump timed out")), 300_000);
    sock.on("data", (d: Buffer) => {
      if (bytes === 0 && d.subarray(0, 4).toString() === "BUSY") {
        // Another crawl holds the crawler: wait it out, as the console does.
        clearTimeout(timer);
        sock.destroy();
        setTimeout(() => void rawMetadump(node, collect).then(resolve, reject), 100);
        return;
      }
      bytes += d.length;
      if (collect) {
        const lines = (rest + d.toString("latin1")).split("\n");
        rest = lines.pop()!;
        for (const l of lines) if (l.startsWith("key=")) collect.push(decodeURIComponent(l.slice(4, l.indexOf(" ")))); // ":" comes as %3A
      }
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

/** `mg <key>` pipelined `chunk` at a time on one connection; the number of keys present (HD) back. */
export function rawPipelinedPresence(node: TStoreNode, keys: string[], chunk: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host: node.host, port: node.port });
    sock.setNoDelay(true);
    let at = 0;
    let expected = 0;
    let present = 0;
    let rest = "";
    const next = () => {
      if (at >= keys.length) {
        sock.destroy();
        resolve(present);
        return;
      }
      const part = keys.slice(at, at + chunk);
      at += part.length;
      expected = part.length;
      sock.write(part.map((k) => `mg ${k}\r\n`).join(""));
    };
    sock.on("connect", next);
    sock.on("data", (d: Buffer) => {
      const lines = (rest + d.toString("latin1")).split("\r\n");
      rest = lines.pop()!;
      for (const l of lines) {
        if (l === "HD") present++;
        expected--;
      }
      if (expected === 0) next();
    });
    sock.on("error", reject);
  });
}

/**
 * The same work as evacuating `ids` from `from` to `to`, pipelined 1,000 sessions at a time with our
 * protocol client and nothing else: read each session and its validity key, read their backup pair
 * (with CAS), add the missing ones with the remaining TTL, read them back.
 */
export async function rawEvacuation(from: TStoreNode, to: TStoreNode, ids: string[]): Promise<number> {
  const src = new MemcachedTextClient({ host: from.host, port: from.port, timeoutMs: 30_000 });
  const dst = new MemcachedTextClient({ host: to.host, port: to.port, timeoutMs: 30_000 });
  let copied = 0;
  try {
    for (let i = 0; i < ids.length; i += 1_000) {
      const part = ids.slice(i, i + 1_000);
      const keys = part.flatMap((id) => [id, `validity:${id}`]);
      const [prims, baks] = await Promise.all([
        src.metaGetMany(keys, "v t f"),
        dst.metaGetMany(
          keys.map((k) => `bak:${k}`),
          "v c",
        ),
      ]);
      const writes = keys.flatMap((k, j) => {
        const p = prims[j];
        if (!p?.value || baks[j]?.value) return [];
        const ttlSeconds = p.ttlSeconds == null ? 0 : Math.max(1, p.ttlSeconds);
        return [{ key: `bak:${k}`, value: p.value, options: { ttlSeconds, flags: p.flags ?? 0, mode: "E" as const } }];
      });
      if (writes.length) await dst.metaSetMany(writes);
      const back = await dst.metaGetMany(
        writes.map((w) => w.key),
        "",
      );
      copied += back.filter((b) => b !== null).length;
    }
  } finally {
    src.close();
    dst.close();
  }
  return copied;
}
