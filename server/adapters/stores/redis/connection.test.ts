import { describe, expect, it } from "vitest";
import { RespReplyMeter } from "./connection";

const feed = (meter: RespReplyMeter, ...parts: string[]) => parts.map((p) => meter.push(Buffer.from(p, "latin1")));

describe("RespReplyMeter", () => {
  it("counts each reply on its own: many small replies never add up to the limit", () => {
    const m = new RespReplyMeter(40);
    for (let i = 0; i < 100; i++)
      expect(feed(m, "$5\r\nhello\r\n", ":1\r\n", "+OK\r\n")).toEqual([false, false, false]);
  });

  it("follows nested arrays and maps across chunk boundaries", () => {
    const m = new RespReplyMeter(60);
    // SCAN's answer: [cursor, [k1, k2]], split mid-header and mid-value; then a RESP3 map.
    expect(feed(m, "*2\r\n$1\r\n0\r", "\n*2\r\n$2\r\nk1\r\n$", "2\r\nk2\r\n")).toEqual([false, false, false]);
    expect(feed(m, "%1\r\n+a\r\n:1\r\n", "_\r\n")).toEqual([false, false]);
    // The next reply starts from zero: 50 bytes alone are within the limit.
    expect(feed(m, `$44\r\n${"x".repeat(44)}\r\n`)).toEqual([false]);
  });

  it("refuses a bulk string announced longer than the limit before any of it arrives", () => {
    const m = new RespReplyMeter(1024);
    expect(feed(m, "$209715200\r\n")).toEqual([true]);
  });

  it("refuses an aggregate of small elements once the reply passes the limit", () => {
    const m = new RespReplyMeter(100);
    const results = feed(m, "*1000\r\n", ...Array.from({ length: 30 }, () => ":12345\r\n"));
    expect(results.slice(0, 10).every((r) => !r)).toBe(true);
    expect(results.at(-1)).toBe(true);
  });

  it("refuses a simple string that never ends", () => {
    const m = new RespReplyMeter(100);
    expect(feed(m, "+", "a".repeat(60), "a".repeat(60))).toEqual([false, false, true]);
  });

  it("treats null bulk strings and empty arrays as whole replies", () => {
    const m = new RespReplyMeter(10);
    expect(feed(m, "$-1\r\n", "*0\r\n", "*-1\r\n", "$-1\r\n")).toEqual([false, false, false, false]);
  });
});
