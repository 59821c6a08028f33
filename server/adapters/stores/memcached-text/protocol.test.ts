import { describe, expect, it } from "vitest";
import { parseMetaGetReply, parseMetaStatusReply, parseNoopBarrier, parseStatsReply } from "./protocol";

describe("command replies", () => {
  it("parses stats, waiting for END", () => {
    const full = Buffer.from("STAT pid 1\r\nSTAT version 1.6.18\r\nSTAT libevent 2.1.12-stable\r\nEND\r\n");
    expect(parseStatsReply(full.subarray(0, 20))).toEqual({ kind: "incomplete" });
    expect(parseStatsReply(full)).toEqual({
      kind: "ok",
      consumed: full.length,
      value: { pid: "1", version: "1.6.18", libevent: "2.1.12-stable" },
    });
    expect(parseStatsReply(Buffer.from("ERROR\r\n"))).toMatchObject({ kind: "error", status: "ERROR" });
  });

  it("parses mg hits, misses and waits for the whole value", () => {
    const hit = Buffer.from("VA 3 t100 s3 f0\r\nabc\r\nEN\r\n");
    // The header says how long the whole reply is: the client waits for that many bytes before parsing again.
    expect(parseMetaGetReply(hit.subarray(0, 18))).toEqual({ kind: "incomplete", need: 22 });
    const r = parseMetaGetReply(hit);
    expect(r.kind).toBe("ok");
    if (r.kind === "ok") {
      expect(r.consumed).toBe(hit.length - 4);
      expect(r.value?.value?.toString()).toBe("abc");
      expect(r.value).toMatchObject({ ttlSeconds: 100, size: 3, flags: 0 });
    }
    const never = parseMetaGetReply(Buffer.from("VA 2 t-1 s2 f5\r\nhi\r\n"));
    expect(never.kind === "ok" && never.value?.ttlSeconds === null && never.value.flags === 5).toBe(true);
    expect(parseMetaGetReply(Buffer.from("EN\r\n"))).toEqual({ kind: "ok", consumed: 4, value: null });
    expect(parseMetaGetReply(Buffer.from("CLIENT_ERROR bad command line format\r\n"))).toMatchObject({
      kind: "error",
      status: "CLIENT_ERROR",
    });
    // A value that contains "\r\n" must be read by length, not by line.
    const crlf = parseMetaGetReply(Buffer.from("VA 4 t5\r\na\r\nb\r\n"));
    expect(crlf.kind === "ok" && crlf.value?.value?.toString()).toBe("a\r\nb");
  });

  it("reads mg replies at an offset, with every flag the console asks for", () => {
    const batch = Buffer.from("EN\r\nHD t100 f7 c123456789012 s3\r\nVA 1 c9 t-1\r\nx\r\nVA x\r\n");
    let at = 0;
    const steps = [];
    for (let i = 0; i < 4; i++) {
      const step = parseMetaGetReply(batch, at);
      steps.push(step);
      if (step.kind !== "incomplete") at += step.consumed;
    }
    expect(steps[0]).toEqual({ kind: "ok", consumed: 4, value: null });
    expect(steps[1]).toEqual({
      kind: "ok",
      consumed: 29,
      value: { value: null, ttlSeconds: 100, flags: 7, cas: "123456789012", size: 3 },
    });
    expect(steps[2]).toMatchObject({ kind: "ok", value: { value: Buffer.from("x"), cas: "9", ttlSeconds: null } });
    expect(steps[3]).toMatchObject({ kind: "error", status: "UNEXPECTED", line: "VA x" });
    expect(at).toBe(batch.length);
  });

  it("parses ms/md statuses and the mn barrier", () => {
    expect(parseMetaStatusReply(Buffer.from("HD\r\n"))).toEqual({ kind: "ok", consumed: 4, value: "HD" });
    expect(parseMetaStatusReply(Buffer.from("NF\r\n"))).toMatchObject({ value: "NF" });
    expect(parseMetaStatusReply(Buffer.from("SERVER_ERROR out of memory\r\n"))).toMatchObject({
      kind: "error",
      status: "SERVER_ERROR",
    });
    expect(parseNoopBarrier(Buffer.from("MN\r\n"))).toEqual({ kind: "ok", consumed: 4, value: true });
    expect(parseNoopBarrier(Buffer.from("CLIENT_ERROR bad data chunk\r\nMN\r\n"))).toMatchObject({
      kind: "error",
      status: "CLIENT_ERROR",
    });
    expect(parseNoopBarrier(Buffer.from("CLIENT_ERROR x\r\n"))).toEqual({ kind: "incomplete" });
  });
});
