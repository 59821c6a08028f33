import { describe, expect, it } from "vitest";
import { STORE_KINDS, getStoreAdapter } from "@/server/adapters/registry";
import type { TStoreAdapter, TStoreCapability } from "@/server/adapters/stores/adapter";

/** The method each capability flag promises; a flag that lies would offer a button that fails. */
const BACKED_BY: Record<TStoreCapability, (a: TStoreAdapter) => boolean> = {
  enumerate: (a) => typeof a.scanNode === "function" && typeof a.verifyRoute === "function",
  stats: (a) => typeof a.readNodeStats === "function",
  lookup: (a) => typeof a.locate === "function",
  evacuateNode: (a) => typeof a.openNodeEvacuator === "function" && typeof a.fallbackNode === "function",
  replaceNode: (a) => typeof a.openNodeCopier === "function",
  expire: (a) => typeof a.expireSession === "function",
};

describe("store kinds declare what they can do", () => {
  it.each(STORE_KINDS)("%s: every capability flag matches the method behind it", (kind) => {
    const a = getStoreAdapter(kind);
    for (const [cap, backed] of Object.entries(BACKED_BY) as Array<[TStoreCapability, (a: TStoreAdapter) => boolean]>)
      expect(a.capabilities[cap], `${kind}.${cap}`).toBe(backed(a));
  });
  it("the four kinds, as the README's table says", () => {
    expect(Object.fromEntries(STORE_KINDS.map((k) => [k, getStoreAdapter(k).capabilities]))).toEqual({
      "memcached-msm": {
        enumerate: true,
        stats: true,
        lookup: true,
        evacuateNode: true,
        replaceNode: true,
        expire: true,
      },
      "jdbc-store": {
        enumerate: true,
        stats: true,
        lookup: true,
        evacuateNode: false,
        replaceNode: false,
        expire: true,
      },
      redis: { enumerate: true, stats: true, lookup: true, evacuateNode: false, replaceNode: true, expire: true },
      "tomcat-manager": {
        enumerate: true,
        stats: true,
        lookup: true,
        evacuateNode: false,
        replaceNode: false,
        expire: true,
      },
    });
  });
});
