import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labStoreEndpoints } from "@/e2e/lab/seed-sessions";
import { MemcachedTextClient } from "./client";

// Against the lab's memcached n1 (lab.env LAB_MEMCACHED1_PORT). Keys are unique per run and deleted after.
const node = labStoreEndpoints().memcached[0]!;
const run = `it-${process.pid}-${Date.now()}`;
let c: MemcachedTextClient;

beforeAll(() => {
  c = new MemcachedTextClient({ host: node.host, port: node.port, timeoutMs: 5000 });
});
afterAll(async () => {
  for (const k of [`${run}:a`, `${run}:b`, `${run}_ütf:x`]) await c.metaDelete(k).catch(() => {});
  c.close();
});

describe("memcached text client against the lab", () => {
  it("reads stats, stats slabs and stats items", async () => {
    const s = await c.stats();
    expect(Number(s.time)).toBeGreaterThan(1_600_000_000);
    expect(s.version).toMatch(/^1\.6\./);
    expect(await c.stats("slabs")).toHaveProperty("active_slabs");
    expect(typeof (await c.stats("items"))).toBe("object");
  });

  it("compare-and-swap: a write with a stale CAS token is refused (EX), with the current one stored", async () => {
    const key = `${run}:a`;
    expect(await c.metaSet(key, Buffer.from("one"), { ttlSeconds: 60 })).toBe("HD");
    const first = await c.metaGet(key);
    expect(first?.cas).toMatch(/^\d+$/);
    expect(await c.metaSet(key, Buffer.from("two"), { ttlSeconds: 60 })).toBe("HD"); // someone else writes
    expect(await c.metaSet(key, Buffer.from("stale"), { ttlSeconds: 60, casToken: first!.cas })).toBe("EX");
    expect((await c.metaGet(key))?.value?.toString()).toBe("two");
    const second = await c.metaGet(key);
    expect(await c.metaSet(key, Buffer.from("three"), { ttlSeconds: 60, casToken: second!.cas })).toBe("HD");
    expect((await c.metaGet(key))?.value?.toString()).toBe("three");
    await c.metaDelete(key);
  });

  it("copies a key with its remaining TTL and flags (mg → ms), then deletes it", async () => {
    expect(await c.metaSet(`${run}:a`, Buffer.from("v\r\nalue"), { ttlSeconds: 300, flags: 7 })).toBe("HD");
    const got = await c.metaGet(`${run}:a`);
    expect(got?.value?.toString()).toBe("v\r\nalue");
    expect(got?.flags).toBe(7);
    expect(got?.size).toBe(7);
    expect(got?.ttlSeconds).toBeGreaterThan(290);
    expect(got?.ttlSeconds).toBeLessThanOrEqual(300);
    expect(
      await c.metaSet(`${run}:b`, got!.value!, { ttlSeconds: got!.ttlSeconds!, flags: got!.flags!, mode: "E" }),
    ).toBe("HD");
    expect(await c.metaSet(`${run}:b`, Buffer.from("x"), { ttlSeconds: 10, mode: "E" })).toBe("NS");
    expect((await c.metaGet(`${run}:b`))?.ttlSeconds).toBeGreaterThan(280);
    expect(await c.metaDelete(`${run}:a`)).toBe(true);
    expect(await c.metaDelete(`${run}:a`)).toBe(false);
    expect(await c.metaGet(`${run}:a`)).toBeNull();
  });

  it("finds written keys in the metadump stream with decoded keys and absolute expiry", async () => {
    const key = `${run}_ütf:x`;
    await c.metaSet(key, Buffer.from("1"), { ttlSeconds: 0 });
    await c.metaSet(`${run}:a`, Buffer.from("2"), { ttlSeconds: 120 });
    const found = new Map<string, { exp: number; size: number | null }>();
    for await (const e of c.metadump()) if (e.key.startsWith(run)) found.set(e.key, { exp: e.exp, size: e.size });
    expect(found.get(key)?.exp).toBe(-1);
    const now = Number((await c.stats()).time);
    expect(found.get(`${run}:a`)!.exp - now).toBeGreaterThan(100);
    expect(found.get(`${run}:a`)!.size).toBeGreaterThan(0);
    await c.metaDelete(key);
  });

  it("runs noreply batches behind an mn barrier", async () => {
    const cmds = Array.from({ length: 200 }, (_, i) => `set ${run}:nr${i} 0 60 1 noreply\r\nx\r\n`).join("");
    await c.writeNoReply(Buffer.from(cmds));
    expect((await c.metaGet(`${run}:nr199`))?.value?.toString()).toBe("x");
    await c.writeNoReply(
      Buffer.from(Array.from({ length: 200 }, (_, i) => `delete ${run}:nr${i} noreply\r\n`).join("")),
    );
    expect(await c.metaGet(`${run}:nr0`)).toBeNull();
  });
});
