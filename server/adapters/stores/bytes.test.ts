import { describe, expect, it } from "vitest";
import { compareBytes, copyBytes, indexOfByte, startsWithBytes } from "./bytes";

const sign = (n: number) => Math.sign(n);

describe("byte-range helpers agree with Buffer's native ones", () => {
  const words = ["", "a", "ab", "abc", "abd", "b", "ABC-n1.tomcat1", "ABC-n1.tomcat2", "ABC-n1", "zz", "\u00e9t\u00e9"];
  it("compareBytes orders ranges as Buffer.compare does, inside larger buffers", () => {
    for (const x of words)
      for (const y of words) {
        const a = Buffer.from(`--${x}--`);
        const b = Buffer.from(`#${y}#`);
        const ours = compareBytes(a, 2, a.length - 2, b, 1, b.length - 1);
        expect(sign(ours), `${x} vs ${y}`).toBe(sign(Buffer.from(x).compare(Buffer.from(y))));
      }
  });

  it("startsWithBytes, indexOfByte and copyBytes (short and long ranges)", () => {
    const buf = Buffer.from("key=bak%3AABC-n1.tomcat1 exp=-1");
    expect(startsWithBytes(buf, 4, buf.length, Buffer.from("bak%3A"))).toBe(true);
    expect(startsWithBytes(buf, 4, 8, Buffer.from("bak%3A"))).toBe(false);
    expect(startsWithBytes(buf, 5, buf.length, Buffer.from("bak"))).toBe(false);
    expect(indexOfByte(buf, 0x25, 0, buf.length)).toBe(7);
    expect(indexOfByte(buf, 0x25, 8, buf.length)).toBe(-1);
    expect(indexOfByte(buf, 0x20, 0, 20)).toBe(-1);
    for (const n of [0, 1, 40, 96, 97, 500]) {
      const src = Buffer.from(Array.from({ length: n + 6 }, (_, i) => i % 251));
      const dst = Buffer.alloc(n + 10, 0xff);
      copyBytes(src, 3, 3 + n, dst, 5);
      expect(dst.subarray(5, 5 + n).equals(src.subarray(3, 3 + n))).toBe(true);
      expect(dst[4]).toBe(0xff);
      expect(dst[5 + n]).toBe(0xff);
    }
  });
});
