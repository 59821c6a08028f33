import { describe, expect, it } from "vitest";
import { nextCounterBase } from "@/server/store-poller/store-counter-totals";

describe("nextCounterBase", () => {
  it("adds the last value of every counter when the poller detected a restart, even one already past it", () => {
    const base = nextCounterBase({ hits: 10 }, { hits: 500, misses: 40 }, { hits: 600, misses: 2 }, true);
    expect(base).toEqual({ hits: 510, misses: 40 });
  });

  it("adds a counter's last value when it went down without a restart (memcached `stats reset`)", () => {
    expect(nextCounterBase({}, { hits: 500, misses: 40 }, { hits: 3, misses: 41 }, false)).toEqual({ hits: 500 });
  });

  it("keeps the base while counters climb, and ignores counters the kind does not report", () => {
    const base = { evictions: 7 };
    expect(nextCounterBase(base, { hits: 1, evictions: 2 }, { hits: 2, evictions: 3 }, false)).toEqual(base);
    expect(nextCounterBase(base, { created: 9 }, { created: 1, rejected: 0 }, false)).toEqual({
      evictions: 7,
      created: 9,
    });
    expect(nextCounterBase(base, null, { hits: 1 }, true)).toBe(base);
  });
});
