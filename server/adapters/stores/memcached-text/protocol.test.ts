import { describe, expect, it } from "vitest";
import {
  decodeKey,
  LineSplitter,
  MAX_METADUMP_LINE,
  MetadumpParser,
  parseMetadumpLine,
  parseMetaGetReply,
  parseMetaStatusReply,
  parseNoopBarrier,
  parseStatsReply,
} from "./protocol";

// Captured from memcached 1.6.18 (`lru_crawler metadump all` after two sets): item lines end in "\n", END in "\r\n".
const DUMP_1_6_18 =
  "key=validity%3AABC-n1 exp=1795317645 la=1795317545 cas=1 fetch=yes cls=1 size=77\n" +
  "key=foo exp=-1 la=1795317545 cas=2 fetch=yes cls=1 size=68\n" +
  "END\r\n";

describe("parseMetadumpLine", () => {
  it("parses a 1.6.18 line and URL-decodes the key", () => {
    expect(
      parseMetadumpLine("key=validity%3AABC-n1 exp=1795317645 la=1795317545 cas=1 fetch=yes cls=1 size=77"),
    ).toEqual({
      kind: "entry",
      entry: {
        key: "validity:ABC-n1",
        exp: 1795317645,
        la: 1795317545,
        cas: 1,
        fetch: true,
        cls: 1,
        size: 77,
        flags: null,
      },
    });
  });

  it("accepts the trailing space, flags= (1.6.24+) and extstore fields", () => {
    const r = parseMetadumpLine(
      "key=bak%3Avalidity%3AX-n2.tomcat1 exp=-1 la=5 cas=9 fetch=no cls=3 size=120 flags=7 ext_page=1 ext_offset=2 ",
    );
    expect(r).toEqual({
      kind: "entry",
      entry: { key: "bak:validity:X-n2.tomcat1", exp: -1, la: 5, cas: 9, fetch: false, cls: 3, size: 120, flags: 7 },
    });
  });

  it("leaves cls/size null on pre-1.5.4 lines", () => {
    const r = parseMetadumpLine("key=a exp=-1 la=1 cas=1 fetch=no");
    expect(r.kind === "entry" && r.entry.cls === null && r.entry.size === null).toBe(true);
  });

  it("classifies END, blank, BUSY, ERROR and garbage", () => {
    expect(parseMetadumpLine("END\r")).toEqual({ kind: "end" });
    expect(parseMetadumpLine("")).toEqual({ kind: "skip" });
    expect(parseMetadumpLine("BUSY currently processing crawler request")).toMatchObject({
      kind: "error",
      status: "BUSY",
    });
    expect(parseMetadumpLine("ERROR metadump not allowed")).toMatchObject({ kind: "error", status: "ERROR" });
    expect(parseMetadumpLine("CLIENT_ERROR lru crawler disabled")).toMatchObject({
      kind: "error",
      status: "CLIENT_ERROR",
    });
    expect(parseMetadumpLine("<html>")).toMatchObject({ kind: "error", status: "UNEXPECTED" });
    expect(parseMetadumpLine("key=a la=1")).toMatchObject({ kind: "error", status: "UNEXPECTED" });
  });
});

describe("decodeKey", () => {
  it("decodes UTF-8 escapes and keeps invalid sequences as bytes", () => {
    expect(decodeKey("plain-key_1.~")).toBe("plain-key_1.~");
    expect(decodeKey("caf%C3%A9%20x")).toBe("café x");
    expect(decodeKey("bad%FFbyte")).toBe("bad\u00ffbyte");
  });
});

describe("LineSplitter / MetadumpParser across chunk boundaries", () => {
  it("yields the same entries however the dump is split", () => {
    const bytes = Buffer.from(DUMP_1_6_18);
    const whole = new MetadumpParser().push(bytes);
    expect(whole.map((e) => e.key)).toEqual(["validity:ABC-n1", "foo"]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new MetadumpParser();
      const got = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
      expect(got).toEqual(whole);
      expect(p.done).toBe(true);
    }
  });

  it("splits byte by byte, including a multi-byte UTF-8 character and CRLF", () => {
    const s = new LineSplitter();
    const lines: string[] = [];
    for (const b of Buffer.from("é1\r\nline2\nEND\r\n")) lines.push(...s.push(Uint8Array.of(b)));
    expect(lines).toEqual(["é1", "line2", "END"]);
    expect(s.rest()).toBe("");
  });

  it("stops at END and ignores anything after it", () => {
    const p = new MetadumpParser();
    expect(p.push(Buffer.from("END\r\nkey=x exp=-1 la=1 cas=1 fetch=no\n"))).toEqual([]);
    expect(p.done).toBe(true);
  });

  it("reports BUSY as an error and stops", () => {
    const p = new MetadumpParser();
    p.push(Buffer.from("BUSY currently processing crawler request\r\n"));
    expect(p.error).toEqual({ status: "BUSY", line: "BUSY currently processing crawler request" });
    expect(p.done).toBe(true);
  });
});

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

describe("metadump lines that never end", () => {
  it("are an error, not a growing buffer", () => {
    const p = new MetadumpParser();
    expect(p.push(Buffer.from("key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=60\n"))).toHaveLength(1);
    p.push(Buffer.alloc(MAX_METADUMP_LINE + 1, 0x41));
    expect(p.done).toBe(true);
    expect(p.error?.status).toBe("UNEXPECTED");
  });
});
