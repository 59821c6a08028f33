import type net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TargetTimeoutError, TargetUnreachableError } from "@/server/errors";
import { MemcachedCrawlerBusyError, MemcachedReplyError, MemcachedTextClient } from "./client";
import { startLineServer } from "@/test-support/line-server";

// Fault injection with small in-process servers (docs/conventions.md §11): each test scripts the replies.
const closers: Array<() => Promise<void>> = [];

async function fakeServer(onLine: (line: string, sock: net.Socket) => void): Promise<number> {
  const s = await startLineServer(onLine);
  closers.push(s.close);
  return s.port;
}

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("MemcachedTextClient", () => {
  it("pipelines commands and matches replies in order, even when the reply arrives in pieces", async () => {
    const port = await fakeServer((line, sock) => {
      if (line === "stats") {
        const reply = "STAT curr_items 2\r\nSTAT time 100\r\nEND\r\n";
        for (const ch of reply) sock.write(ch);
      } else if (line.startsWith("mg a")) sock.write("VA 2 t-1 s2 f3\r\nhi\r\n");
      else if (line.startsWith("mg b")) sock.write("EN\r\n");
    });
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    const [stats, a, b] = await Promise.all([c.stats(), c.metaGet("a"), c.metaGet("b")]);
    expect(stats).toEqual({ curr_items: "2", time: "100" });
    expect(a?.value?.toString()).toBe("hi");
    expect(a).toMatchObject({ ttlSeconds: null, size: 2, flags: 3 });
    expect(b).toBeNull();
    c.close();
  });

  it("times out on a hung server with TargetTimeoutError", async () => {
    const port = await fakeServer(() => {});
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 100 });
    await expect(c.stats()).rejects.toBeInstanceOf(TargetTimeoutError);
    c.close();
  });

  it("reports refused connections as TargetUnreachableError", async () => {
    const port = await fakeServer(() => {});
    await closers.pop()!();
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    await expect(c.stats()).rejects.toBeInstanceOf(TargetUnreachableError);
  });

  it("turns error lines into MemcachedReplyError and stays usable", async () => {
    const port = await fakeServer((line, sock) => {
      if (line === "stats") sock.write("SERVER_ERROR out of memory\r\n");
      else if (line.startsWith("md")) sock.write("NF\r\n");
    });
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    const err = await c.stats().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemcachedReplyError);
    expect((err as MemcachedReplyError).status).toBe("SERVER_ERROR");
    expect((err as MemcachedReplyError).code).toBe("UNEXPECTED_RESPONSE");
    await expect(c.metaDelete("k")).resolves.toBe(false);
    c.close();
  });

  it("refuses keys the text protocol cannot carry", () => {
    const c = new MemcachedTextClient({ host: "127.0.0.1", port: 1 });
    expect(() => c.metaGet("has space")).toThrow(RangeError);
    expect(() => c.metaGet("x".repeat(251))).toThrow(RangeError);
  });

  it("sends ms with T/F/mode and the value", async () => {
    const seen: string[] = [];
    const port = await fakeServer((line, sock) => {
      seen.push(line);
      if (line.startsWith("ms ")) return;
      if (line === "v1") sock.write("HD\r\n");
    });
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    await expect(c.metaSet("k", Buffer.from("v1"), { ttlSeconds: 60, flags: 4, mode: "E" })).resolves.toBe("HD");
    expect(seen).toEqual(["ms k 2 T60 F4 ME", "v1"]);
    c.close();
  });

  it("streams a metadump (hash mode: every item once) sent in odd-sized chunks and ends at END", async () => {
    const lines =
      Array.from({ length: 500 }, (_, i) => `key=k%3A${i} exp=-1 la=1 cas=${i} fetch=no cls=1 size=60 \n`).join("") +
      "END\r\n";
    const port = await fakeServer((line, sock) => {
      if (line !== "lru_crawler metadump hash") return;
      const buf = Buffer.from(lines);
      for (let i = 0; i < buf.length; i += 37) sock.write(buf.subarray(i, i + 37));
    });
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    const keys: string[] = [];
    for await (const e of c.metadump()) keys.push(e.key);
    expect(keys.length).toBe(500);
    expect(keys[499]).toBe("k:499");
  });

  it("falls back to the LRU walk (all) when the server refuses hash mode (memcached < 1.6.9), but not on BUSY", async () => {
    const asked: string[] = [];
    const port = await fakeServer((line, sock) => {
      asked.push(line);
      if (line === "lru_crawler metadump hash") sock.end("BADCLASS invalid class id\r\n");
      if (line === "lru_crawler metadump all") sock.write("key=a exp=-1 la=1 cas=1 fetch=no \nEND\r\n");
    });
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    const keys: string[] = [];
    for await (const e of c.metadump()) keys.push(e.key);
    expect(keys).toEqual(["a"]);
    expect(asked).toEqual(["lru_crawler metadump hash", "lru_crawler metadump all"]);
  });

  it("raises MemcachedCrawlerBusyError on BUSY and TargetTimeoutError when the dump stalls", async () => {
    const busyPort = await fakeServer((_l, sock) => sock.write("BUSY currently processing crawler request\r\n"));
    const busy = new MemcachedTextClient({ host: "127.0.0.1", port: busyPort, timeoutMs: 2000 });
    await expect(drain(busy.metadump())).rejects.toBeInstanceOf(MemcachedCrawlerBusyError);

    const stallPort = await fakeServer((_l, sock) => sock.write("key=a exp=-1 la=1 cas=1 fetch=no\n"));
    const stall = new MemcachedTextClient({ host: "127.0.0.1", port: stallPort, timeoutMs: 150 });
    await expect(drain(stall.metadump())).rejects.toBeInstanceOf(TargetTimeoutError);

    const closePort = await fakeServer((_l, sock) => sock.end("key=a exp=-1 la=1 cas=1 fetch=no\n"));
    const closed = new MemcachedTextClient({ host: "127.0.0.1", port: closePort, timeoutMs: 2000 });
    await expect(drain(closed.metadump())).rejects.toBeInstanceOf(TargetUnreachableError);
  });
});

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

describe("MemcachedTextClient pipelined batches", () => {
  it("metaGetMany writes every mg at once and returns the replies in order, across chunk boundaries", async () => {
    const port = await fakeServer((line, sock) => {
      const key = line.split(" ")[1]!;
      // Replies trickle in one byte at a time for the odd keys: the batch must survive partial reads.
      const reply = key.endsWith("x") ? "EN\r\n" : `VA ${key.length} t60 s${key.length} f0 c7\r\n${key}\r\n`;
      if (Number(key.slice(1, 2)) % 2 === 1) for (const ch of reply) sock.write(ch);
      else sock.write(reply);
    });
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    const keys = ["k0a", "k1b", "k2x", "k3x", "k4c"];
    const got = await c.metaGetMany(keys);
    expect(got.map((g) => g?.value?.toString() ?? null)).toEqual(["k0a", "k1b", null, null, "k4c"]);
    expect(got[0]).toMatchObject({ ttlSeconds: 60, cas: "7" });
    expect(await c.metaGetMany([])).toEqual([]);
    c.close();
  });

  it("an error reply fails the whole batch once every reply is read; the connection stays usable", async () => {
    const port = await fakeServer((line, sock) => {
      if (line.startsWith("ms")) return; // the value line follows
      if (line === "v1" || line === "v3") sock.write("HD\r\n");
      else if (line === "v2") sock.write("SERVER_ERROR out of memory storing object\r\n");
      else if (line.startsWith("mg")) sock.write("EN\r\n");
    });
    const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
    const items = ["v1", "v2", "v3"].map((v, i) => ({
      key: `k${i}`,
      value: Buffer.from(v),
      options: { ttlSeconds: 10 },
    }));
    const err = await c.metaSetMany(items).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemcachedReplyError);
    expect((err as MemcachedReplyError).status).toBe("SERVER_ERROR");
    expect(await c.metaGet("after")).toBeNull();
    c.close();
  });

  it("two metadumps of one server from this process run one after the other (the crawler lock)", async () => {
    let running = 0;
    let most = 0;
    const port = await fakeServer((line, sock) => {
      if (!line.startsWith("lru_crawler metadump")) return;
      running++;
      most = Math.max(most, running);
      setTimeout(() => {
        running--;
        sock.write("key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=9\nEND\r\n");
      }, 50);
    });
    const drain = async () => {
      const c = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 2000 });
      const keys: string[] = [];
      for await (const e of c.metadump()) keys.push(e.key);
      return keys;
    };
    expect(await Promise.all([drain(), drain(), drain()])).toEqual([["a"], ["a"], ["a"]]);
    expect(most).toBe(1);
  });
});
