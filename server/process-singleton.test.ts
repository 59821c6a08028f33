import { describe, expect, it, vi } from "vitest";
import { processSingleton, processSlot } from "@/server/process-singleton";

describe("processSingleton", () => {
  it("creates once and answers the same value to every caller, as a second bundle of a module would be", async () => {
    let created = 0;
    const a = processSingleton("test.singleton", () => ({ n: ++created }));
    // A fresh copy of the module (what a second Next.js bundle is) still sees the first one's value.
    vi.resetModules();
    const again = await import("@/server/process-singleton");
    expect(again.processSingleton).not.toBe(processSingleton);
    const b = again.processSingleton("test.singleton", () => ({ n: ++created }));
    expect(b).toBe(a);
    expect(created).toBe(1);
  });
  it("keeps different names apart, and a slot holds what is set later", () => {
    const x = processSingleton("test.x", () => new Map<string, number>());
    const y = processSingleton("test.y", () => new Map<string, number>());
    expect(x).not.toBe(y);
    const slot = processSlot<number>("test.slot");
    expect(slot.current).toBeUndefined();
    slot.current = 7;
    expect(processSlot<number>("test.slot").current).toBe(7);
  });
});
