import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, type TFanoutMessage } from "@/server/fanout/fanout-codec";

describe("fan-out codec", () => {
  it("brings a poll's reading across with its dates as dates", () => {
    const at = new Date("2026-12-05T08:00:00.123Z");
    const m: TFanoutMessage = {
      from: "a",
      name: "frontend-polled",
      payload: { clusterId: 1, frontendId: 2, up: true, changed: ["k"] },
      live: {
        frontendId: 2,
        clusterId: 1,
        up: true,
        error: null,
        errorCode: null,
        lastPollAt: at,
        lastGoodAt: null,
        durationMs: 3,
        members: [],
        stale: false,
        balancerRaw: { a: "b" },
      },
    };
    const back = decodeMessage(encodeMessage(m)) as TFanoutMessage;
    expect(back).toEqual(m);
    expect(back.live?.lastPollAt).toBeInstanceOf(Date);
  });

  it("passes a stored message's reference through", () => {
    expect(decodeMessage(JSON.stringify({ from: "a", ref: 7 }))).toEqual({ from: "a", ref: 7 });
  });
});
