import { describe, expect, it } from "vitest";
import { MonotonicCounters } from "@/server/metrics/monotonic-counters";

describe("MonotonicCounters", () => {
  it("passes readings through while the balancer's counter climbs", () => {
    const c = new MonotonicCounters();
    expect(c.observe(1, "w1", "requests", 10)).toBe(10);
    expect(c.observe(1, "w1", "requests", 25)).toBe(25);
    expect(c.value(1, "w1", "requests")).toBe(25);
  });

  it("keeps climbing across a balancer restart (the counter went back to a small value)", () => {
    const c = new MonotonicCounters();
    c.observe(1, "w1", "requests", 100);
    expect(c.observe(1, "w1", "requests", 3)).toBe(103);
    expect(c.observe(1, "w1", "requests", 10)).toBe(110);
    // a second restart adds the second run's last value too
    expect(c.observe(1, "w1", "requests", 0)).toBe(110);
    expect(c.observe(1, "w1", "requests", 5)).toBe(115);
  });

  it("keeps series of different members, frontends and counters apart", () => {
    const c = new MonotonicCounters();
    c.observe(1, "w1", "requests", 100);
    c.observe(1, "w1", "errors", 7);
    c.observe(2, "w1", "requests", 50);
    c.observe(1, "w2", "requests", 1);
    expect(c.observe(1, "w1", "errors", 1)).toBe(8);
    expect(c.value(2, "w1", "requests")).toBe(50);
    expect(c.value(1, "w2", "requests")).toBe(1);
    expect(c.value(3, "w1", "requests")).toBeUndefined();
  });

  it("forgets every series of a deleted frontend and only those", () => {
    const c = new MonotonicCounters();
    c.observe(1, "w1", "requests", 1);
    c.observe(12, "w1", "requests", 1);
    c.forgetFrontend(1);
    expect(c.value(1, "w1", "requests")).toBeUndefined();
    expect(c.value(12, "w1", "requests")).toBe(1);
    expect(c.size).toBe(1);
  });
});
