import { describe, expect, it } from "vitest";
import { idListOf } from "@/server/adapters/stores/scan-batch";
import { presenceCommands, presenceReplies } from "./protocol";

describe("pipelined presence checks (mg without flags)", () => {
  it("writes one mg command per chosen id, prefix first, straight from the id bytes", () => {
    const ids = idListOf(["A-n1.t1", "B-n2.t1", "C-n1.t2"]);
    expect(presenceCommands(Buffer.from("bak:"), ids, Uint32Array.of(2, 0)).toString()).toBe(
      "mg bak:C-n1.t2\r\nmg bak:A-n1.t1\r\n",
    );
    expect(presenceCommands(Buffer.alloc(0), ids, new Uint32Array(0)).length).toBe(0);
    expect(() => presenceCommands(Buffer.from("p".repeat(245)), ids, Uint32Array.of(0))).toThrow(/longer than/);
  });

  it("reads HD/EN replies however they are cut, as progress until the last one", () => {
    const replies = Buffer.from("HD\r\nEN\r\nHD\r\nHD\r\nEN\r\n");
    for (let cut = 1; cut < replies.length; cut++) {
      const parse = presenceReplies(5);
      const first = parse(replies.subarray(0, cut));
      const consumed = first.kind === "progress" ? first.consumed : 0;
      expect(first.kind === "progress" || first.kind === "incomplete").toBe(true);
      const second = parse(replies.subarray(consumed));
      expect(second).toEqual({ kind: "ok", consumed: replies.length - consumed, value: Uint8Array.of(1, 0, 1, 1, 0) });
    }
  });

  it("an error reply fails the batch once every reply is in, naming the error", () => {
    const step = presenceReplies(3)(Buffer.from("HD\r\nSERVER_ERROR out of memory\r\nEN\r\n"));
    expect(step).toMatchObject({
      kind: "error",
      status: "SERVER_ERROR",
      consumed: 36,
      line: "SERVER_ERROR out of memory",
    });
  });
});
