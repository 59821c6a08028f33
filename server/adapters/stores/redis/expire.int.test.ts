/**
 * Expiring a Redis session touches only the keys its layout recognises as that session's, with the
 * type the layout writes: an "id" that names another key (Spring's `expirations` index, any key of
 * jcoleman's prefix-less layout) is not found and the key stays. Lab Redis r1, in a database of its own.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labStoreEndpoints } from "@/e2e/lab/seed-sessions";
import { getStoreAdapter } from "@/server/adapters/registry";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";

const url = new URL(labStoreEndpoints().redis[0]!);
const DB = 11; // nothing else in the lab uses it; flushed by this test only
const node = { id: "r1", host: url.hostname, port: Number(url.port) };
const adapter = getStoreAdapter("redis");
const store = (options: Record<string, unknown>): TStoreConfig => ({
  name: "test",
  kind: "redis",
  nodes: [node],
  options: adapter.parseOptions({ ...options, db: DB }),
});
const ID = "0123456789ABCDEF0123456789ABCDEF.tomcat1";
const UUID = "6b1e4f0a-9c2d-4e8f-a1b3-5d7c9e0f2a4b";
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(url.toString(), { db: DB, maxRetriesPerRequest: 1 });
  await redis.flushdb();
});
afterAll(async () => {
  await redis.flushdb();
  redis.disconnect();
});

describe("expire on Redis layouts", () => {
  it("spring-session: `expirations` and the shadow key's name are not sessions; the real id removes its two keys only", async () => {
    const s = store({ layout: "spring-session" });
    await redis
      .multi()
      .hset(`spring:session:sessions:${UUID}`, { creationTime: "1", maxInactiveInterval: "1800" })
      .set(`spring:session:sessions:expires:${UUID}`, "")
      .zadd("spring:session:sessions:expirations", 1, UUID)
      .sadd("spring:session:expirations:1700000000000", `expires:${UUID}`)
      .exec();
    for (const bogus of ["expirations", `expires:${UUID}`, "../expirations"]) {
      expect(await adapter.expireSession!(s, bogus, false), bogus).toEqual({ keys: [] });
    }
    expect(await redis.exists("spring:session:sessions:expirations", "spring:session:expirations:1700000000000")).toBe(
      2,
    );
    expect(await redis.exists(`spring:session:sessions:${UUID}`)).toBe(1);

    expect((await adapter.expireSession!(s, UUID, true)).keys.map((k) => k.key).sort()).toEqual([
      `spring:session:sessions:${UUID}`,
      `spring:session:sessions:expires:${UUID}`,
    ]);
    expect(await redis.exists(`spring:session:sessions:${UUID}`)).toBe(1); // a dry run removes nothing
    await adapter.expireSession!(s, UUID, false);
    expect(await redis.exists(`spring:session:sessions:${UUID}`, `spring:session:sessions:expires:${UUID}`)).toBe(0);
    expect(await redis.exists("spring:session:sessions:expirations")).toBe(1); // Spring's own index stays
  });

  it("tomcat-redis-session-manager: a key that is not a session id, or not a string, is never deleted", async () => {
    const s = store({ layout: "tomcat-redis-session-manager" });
    const other = "FEDCBA9876543210FEDCBA9876543210.tomcat2";
    await redis
      .multi()
      .set("app:config", "keep me")
      .set(ID, "serialized-session")
      .hset(other, { not: "a session" })
      .exec();
    expect(await adapter.expireSession!(s, "app:config", false)).toEqual({ keys: [] });
    expect(await adapter.expireSession!(s, "config", false)).toEqual({ keys: [] });
    expect(await adapter.expireSession!(s, other, false)).toEqual({ keys: [] }); // named like one, but a hash
    expect(await redis.exists("app:config", other)).toBe(2);
    expect((await adapter.expireSession!(s, ID, false)).keys).toEqual([{ node: "r1", key: ID }]);
    expect(await redis.exists(ID)).toBe(0);
    expect(await redis.get("app:config")).toBe("keep me");
  });
});
