/**
 * Hostile peers (issue: "every answer read from the network has a size limit"): servers in their own
 * process stream 200 MB; each reader must stop at its limit with a size error, and this process's
 * resident memory must not peak more than twice that limit above where it stood. Each read runs once
 * before it is measured: the first run loads code and lets V8 size its heap, which a console that has
 * been up for a minute has long done. Then the smallest peak of three runs is kept: garbage the
 * collector has not reached yet when other test files load the machine adds to one run's peak, not to
 * what the reader itself holds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ReplyTooLargeError } from "@/server/errors";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import { MAX_STATUS_REPLY_BYTES } from "@/server/adapters/read-limited";
import { getFrontendAdapter } from "@/server/adapters/registry";
import { callDeployWebhook, MAX_WEBHOOK_REPLY_BYTES } from "@/server/services/rollouts/deploy";
import { MAX_REPLY_BYTES, MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { MAX_REDIS_REPLY_BYTES, openRedis } from "@/server/adapters/stores/redis/connection";
import { peakRssGrowth, startFloodServer } from "@/test-support/flood-server";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
async function flood(mode: Parameters<typeof startFloodServer>[0]) {
  const s = await startFloodServer(mode);
  closers.push(s.close);
  return s.port;
}
/** The smallest peak growth of three runs of `fn` after a warm-up run (see above). */
async function steadyPeakGrowth(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const peaks: number[] = [];
  for (let i = 0; i < 3; i++) peaks.push(await peakRssGrowth(fn));
  return Math.min(...peaks);
}

const target = { member: "m", host: "127.0.0.1", route: "m", httpPort: 1, ajpPort: null, cluster: "c", rolloutId: 1 };

describe("200 MB answers stop at the limit with a size error", () => {
  it("a frontend poll (balancer-manager over HTTP)", async () => {
    const port = await flood("http");
    let error: unknown;
    const growth = await steadyPeakGrowth(async () => {
      error = await getFrontendAdapter("apache-balancer")
        .fetchStatusText({
          url: `http://127.0.0.1:${port}/balancer-manager`,
          balancer: "tomcats",
          timeoutMs: 20_000,
          username: null,
          password: null,
          options: {},
        })
        .catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(ReplyTooLargeError);
    expect((error as Error).message).toMatch(/larger than 8 MiB/);
    expect(growth).toBeLessThan(2 * MAX_STATUS_REPLY_BYTES);
  });

  it("a deploy webhook's answer", async () => {
    const port = await flood("http");
    let outcome: Awaited<ReturnType<typeof callDeployWebhook>> | undefined;
    const growth = await steadyPeakGrowth(async () => {
      outcome = await callDeployWebhook(
        { kind: "webhook", url: `http://127.0.0.1:${port}/deploy`, timeoutSec: 20, idempotent: false },
        target,
      );
    });
    expect(outcome?.ok).toBe(false);
    expect(outcome?.message).toMatch(/larger than 4 MiB/);
    expect(growth).toBeLessThan(2 * MAX_WEBHOOK_REPLY_BYTES);
  });

  it("a memcached value (mg announcing 200 MB) and a memcached reply line that never ends", async () => {
    for (const mode of ["memcached-value", "memcached-line"] as const) {
      const port = await flood(mode);
      const client = new MemcachedTextClient({ host: "127.0.0.1", port, timeoutMs: 20_000 });
      let error: unknown;
      const growth = await steadyPeakGrowth(async () => {
        error = await client.metaGet("session-id").catch((e: unknown) => e);
      });
      client.close();
      expect(error, mode).toBeInstanceOf(ReplyTooLargeError);
      expect(growth, mode).toBeLessThan(2 * MAX_REPLY_BYTES);
    }
  });

  it("a Redis bulk reply", async () => {
    const port = await flood("redis-bulk");
    let error: unknown;
    const growth = await steadyPeakGrowth(async () => {
      const redis = openRedis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
      redis.on("error", () => undefined);
      await redis.connect();
      error = await redis.getBuffer("spring:session:sessions:x").catch((e: unknown) => e);
      redis.disconnect();
    });
    expect(error).toBeInstanceOf(ReplyTooLargeError);
    expect(growth).toBeLessThan(2 * MAX_REDIS_REPLY_BYTES);
  });
});

describe("webhooks", () => {
  it("do not follow redirects", async () => {
    const port = await flood("http-redirect");
    const outcome = await callDeployWebhook(
      { kind: "webhook", url: `http://127.0.0.1:${port}/deploy`, timeoutSec: 5, idempotent: false },
      target,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/302.*redirects are not followed/);
  });
});

describe("status pages within the limit", () => {
  it("are read whole", async () => {
    const { startCannedServer } = await import("@/test-support/fault-server");
    const s = await startCannedServer(200, "x".repeat(100_000));
    closers.push(s.close);
    expect((await fetchText(s.url, { timeoutMs: 2000 })).length).toBe(100_000);
  });
});
