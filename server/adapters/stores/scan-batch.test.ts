import { describe, expect, it } from "vitest";
import { idAt, idListOf, IdListWriter } from "@/server/adapters/stores/scan-batch";

describe("IdListWriter", () => {
  it("keeps ASCII and non-ASCII ids exactly, in order, across buffer growth", () => {
    const ids = Array.from({ length: 5_000 }, (_, i) =>
      i % 7 === 0 ? `caf\u00e9-${i}.t\u00fcr` : `${i.toString(16).toUpperCase().padStart(32, "0")}-n1.tomcat${i % 3}`,
    );
    const list = idListOf(ids);
    expect(list.count).toBe(ids.length);
    expect(Array.from({ length: list.count }, (_, i) => idAt(list, i))).toEqual(ids);
    // Byte offsets are UTF-8 lengths (é and ü take two bytes each).
    expect(list.starts[1]! - list.starts[0]!).toBe(Buffer.byteLength(ids[0]!));
  });

  it("mixes ids given as bytes and as text", () => {
    const w = new IdListWriter();
    const raw = Buffer.from("xxABC-n1.t1yy");
    w.add(raw, 2, 11);
    w.addString("DEF-n2.t2");
    w.addString("\u00e4");
    const list = w.take();
    expect([0, 1, 2].map((i) => idAt(list, i))).toEqual(["ABC-n1.t1", "DEF-n2.t2", "\u00e4"]);
  });
});
