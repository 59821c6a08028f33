import { afterEach, describe, expect, it } from "vitest";
import { enumerateMemcachedKeys } from "@/server/adapters/stores/memcached-msm/enumerate";
import { MemcachedCrawlerBusyError } from "@/server/adapters/stores/memcached-text/client";
import { startLineServer } from "@/test-support/line-server";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A memcached double whose crawler is busy for the first `busyTimes` metadump requests. */
async function busyThenDump(busyTimes: number): Promise<{ port: number; dumps: () => number }> {
  let asked = 0;
  const s = await startLineServer((line, sock) => {
    if (line === "stats") sock.write("STAT time 1000\r\nSTAT version 1.6.18\r\nEND\r\n");
    if (line.startsWith("lru_crawler metadump")) {
      asked++;
      sock.write(
        asked <= busyTimes
          ? "BUSY currently processing crawler request\r\n"
          : "key=s1-n1.t1 exp=1600 la=990 cas=1 fetch=no cls=1 size=80 \nEND\r\n",
      );
    }
  });
  closers.push(s.close);
  return { port: s.port, dumps: () => asked };
}

describe("enumerateMemcachedKeys", () => {
  it("waits out a busy crawler (another listing running) and then lists the keys", async () => {
    const s = await busyThenDump(3);
    const keys = [];
    for await (const k of enumerateMemcachedKeys([{ id: "n1", host: "127.0.0.1", port: s.port }], {
      busyPausesMs: [5, 5, 5, 5],
    }))
      keys.push(k);
    expect(keys).toEqual([{ node: "n1", key: "s1-n1.t1", size: 80, ttlSeconds: 600, lastAccess: 990 }]);
    expect(s.dumps()).toBe(4);
  });

  it("gives up with the BUSY error when the crawler stays busy", async () => {
    const s = await busyThenDump(Number.MAX_SAFE_INTEGER);
    const run = async () => {
      for await (const _ of enumerateMemcachedKeys([{ id: "n1", host: "127.0.0.1", port: s.port }], {
        busyPausesMs: [5, 5, 5],
      }))
        void _;
    };
    await expect(run()).rejects.toBeInstanceOf(MemcachedCrawlerBusyError);
    expect(s.dumps()).toBe(4); // the first try and three retries
  });
});
