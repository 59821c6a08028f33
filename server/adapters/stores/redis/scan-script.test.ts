import { describe, expect, it } from "vitest";
import { scanKeyBatches, type TRedisPipeline, type TRedisScanClient } from "./enumerate";

/** A keyspace served both ways: by the script (EVAL) and by SCAN + pipelined PTTL. */
function fakeRedis(keys: Record<string, number>, evalFails: boolean) {
  const names = Object.keys(keys);
  const calls = { eval: 0, scan: 0, pttl: 0 };
  const page = (cursor: string, count: number) => {
    const at = Number(cursor);
    const next = at + count >= names.length ? "0" : String(at + count);
    return { next, found: names.slice(at, at + count) };
  };
  const client: TRedisScanClient = {
    async eval(_script, _n, cursor, _match, count) {
      calls.eval++;
      if (evalFails) throw new Error("NOPERM this user has no permissions to run the 'eval' command");
      const { next, found } = page(String(cursor), Number(count));
      // A key that expired between SCAN and PTTL answers -2; no expiry is -1.
      return [next, found, found.map((k) => keys[k]!), []];
    },
    async scan(cursor, ...args) {
      calls.scan++;
      const { next, found } = page(cursor, Number(args[args.indexOf("COUNT") + 1]));
      return [next, found];
    },
    pipeline() {
      const queued: string[] = [];
      const p: TRedisPipeline = {
        pttl(k) {
          calls.pttl++;
          queued.push(k);
          return p;
        },
        memory: () => p,
        type: () => p,
        exec: async () => queued.map((k) => [null, keys[k]!] as [null, number]),
      };
      return p;
    },
  };
  return { client, calls };
}

const KEYS = { a: 5_000, b: -1, gone: -2, c: 120_400 };

async function read(client: TRedisScanClient) {
  const out = [];
  for await (const batch of scanKeyBatches(client, "r1", { count: 2, size: "none" })) out.push(...batch);
  return out.map((k) => [k.key, k.ttlSeconds]);
}

describe("Redis enumeration, by script or pipelined", () => {
  it("reads every key with its TTL through one EVAL per batch, leaving out keys gone meanwhile", async () => {
    const { client, calls } = fakeRedis(KEYS, false);
    expect(await read(client)).toEqual([
      ["a", 5],
      ["b", null],
      ["c", 120],
    ]);
    expect(calls).toEqual({ eval: 2, scan: 0, pttl: 0 });
  });

  it("falls back to SCAN + pipelined PTTL, with the same answer, when the server refuses scripts", async () => {
    const { client, calls } = fakeRedis(KEYS, true);
    expect(await read(client)).toEqual([
      ["a", 5],
      ["b", null],
      ["c", 120],
    ]);
    expect(calls.eval).toBe(1);
    expect(calls.pttl).toBe(4);
  });

  it("asks for the next batch before handing on this one; a later batch's failure reaches the reader", async () => {
    const { client, calls } = fakeRedis(KEYS, false);
    const evalOk = client.eval!.bind(client);
    client.eval = async (...args) => {
      if (calls.eval === 2) {
        calls.eval++;
        throw new Error("READONLY You can't write against a read only replica");
      }
      return evalOk(...args);
    };
    const it = scanKeyBatches(client, "r1", { count: 1, size: "none" });
    const first = await it.next();
    expect((first.value as Array<{ key: string }>).map((k) => k.key)).toEqual(["a"]);
    // The second batch was asked for while the first was being read.
    expect(calls.eval).toBe(2);
    await it.next(); // "b"
    await expect(it.next()).rejects.toThrow(/READONLY/);
  });

  it("a reader that stops early leaves no rejection unhandled from the batch in flight", async () => {
    const { client } = fakeRedis(KEYS, false);
    const evalOk = client.eval!.bind(client);
    let n = 0;
    client.eval = async (...args) => {
      if (++n > 1) throw new Error("connection lost");
      return evalOk(...args);
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      for await (const batch of scanKeyBatches(client, "r1", { count: 1, size: "none" })) {
        expect(batch.map((k) => k.key)).toEqual(["a"]);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
