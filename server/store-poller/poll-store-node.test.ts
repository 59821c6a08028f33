/**
 * What a store node's polls leave for /metrics across a restart: a small in-process memcached double
 * answers `stats` with the uptime and counters each step sets (docs/conventions.md §11).
 */
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLineServer } from "@/test-support/line-server";
import { pollStoreNode, type TStoreNodeTarget } from "@/server/store-poller/poll-store-node";
import { forgetStoreNodeLive } from "@/server/store-poller/store-live-state";
import { counterTotal } from "@/server/store-poller/store-counter-totals";

/** The `stats` answer of the double: only what the reading uses. */
let stats = { uptime: 1000, get_hits: 500, get_misses: 50 };

function answer(line: string, sock: net.Socket): void {
  if (line !== "stats") return void sock.write("ERROR\r\n");
  const rows = { ...stats, version: "1.6.18", curr_items: 10, bytes: 1000, limit_maxbytes: 65536, evictions: 0 };
  sock.write(
    `${Object.entries(rows)
      .map(([k, v]) => `STAT ${k} ${v}\r\n`)
      .join("")}END\r\n`,
  );
}

describe("pollStoreNode across a node restart", () => {
  let server: { port: number; close: () => Promise<void> };
  let target: TStoreNodeTarget;
  const storeNodeId = 990_001;

  beforeAll(async () => {
    server = await startLineServer(answer);
    const node = { id: "n1", host: "127.0.0.1", port: server.port };
    target = {
      store: {
        id: 990_000,
        clusterId: 1,
        cluster: "shop",
        name: "msm",
        kind: "memcached-msm",
        nodes: [node],
        nodeIds: { n1: storeNodeId },
        options: {},
        pollIntervalMs: 10_000,
      },
      node,
      storeNodeId,
      timeoutMs: 2_000,
    };
  });
  afterAll(async () => {
    forgetStoreNodeLive(storeNodeId);
    await server.close();
  });

  it("counts a restart its uptime shows and keeps hits monotonic, also after a `stats reset`", async () => {
    let clock = 1_700_000_000_000;
    const poll = async (next: typeof stats) => {
      stats = next;
      clock += 10_000;
      return pollStoreNode(target, () => clock);
    };
    const total = (l: Awaited<ReturnType<typeof poll>>) => counterTotal(l.counterBase, l.reading!.counters, "hits");

    expect(total(await poll({ uptime: 1000, get_hits: 500, get_misses: 50 }))).toBe(500);
    const before = await poll({ uptime: 1010, get_hits: 600, get_misses: 60 });
    expect(before).toMatchObject({ up: true, restartsDetected: 0, counterBase: {} });
    expect(total(before)).toBe(600);

    // Restarted between two polls and already past its old count: only the uptime tells.
    const restarted = await poll({ uptime: 5, get_hits: 700, get_misses: 1 });
    expect(restarted.restartsDetected).toBe(1);
    expect(restarted.restart).not.toBeNull();
    expect(restarted.counterBase).toMatchObject({ hits: 600, misses: 60 });
    expect(total(restarted)).toBe(1300);

    // `stats reset` zeroes the counters while the uptime goes on: no restart, still no step back.
    const reset = await poll({ uptime: 15, get_hits: 2, get_misses: 0 });
    expect(reset.restartsDetected).toBe(1);
    expect(total(reset)).toBe(1302);
    expect(counterTotal(reset.counterBase, reset.reading!.counters, "misses")).toBe(61);
  });
});
