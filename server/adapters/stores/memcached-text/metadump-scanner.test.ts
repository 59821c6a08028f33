import { describe, expect, it } from "vitest";
import { decodeKey, MetadumpScanner, metadumpKey } from "./metadump-scanner";
import { MAX_METADUMP_LINE } from "./protocol";

// Captured from memcached 1.6.18 (`lru_crawler metadump hash` after two sets): item lines end in "\n", END in "\r\n".
const DUMP_1_6_18 =
  "key=validity%3AABC-n1 exp=1795317645 la=1795317545 cas=1 fetch=yes cls=1 size=77\n" +
  "key=foo exp=-1 la=1795317545 cas=2 fetch=yes cls=1 size=68\n" +
  "END\r\n";

type TLine = { key: string; exp: number; la: number; size: number };

function scan(chunks: Buffer[]): { lines: TLine[]; scanner: MetadumpScanner } {
  const scanner = new MetadumpScanner();
  const lines: TLine[] = [];
  for (const c of chunks)
    scanner.push(c, (buf, ks, ke, exp, la, size) => lines.push({ key: metadumpKey(buf, ks, ke), exp, la, size }));
  return { lines, scanner };
}

describe("MetadumpScanner", () => {
  it("reads a 1.6.18 dump: key decoded, exp/la/size as numbers, done at END", () => {
    const { lines, scanner } = scan([Buffer.from(DUMP_1_6_18)]);
    expect(lines).toEqual([
      { key: "validity:ABC-n1", exp: 1795317645, la: 1795317545, size: 77 },
      { key: "foo", exp: -1, la: 1795317545, size: 68 },
    ]);
    expect(scanner).toMatchObject({ done: true, error: null, items: 2 });
  });

  it("gives the same lines however the dump is cut into chunks, byte by byte included", () => {
    const bytes = Buffer.from(DUMP_1_6_18);
    const whole = scan([bytes]).lines;
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = scan([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(r.lines).toEqual(whole);
      expect(r.scanner.done).toBe(true);
    }
    const single = scan([...bytes].map((b) => Buffer.from([b])));
    expect(single.lines).toEqual(whole);
  });

  it("accepts the trailing space, flags= (1.6.24+) and extstore fields; size is 0 before 1.5.4", () => {
    const { lines } = scan([
      Buffer.from(
        "key=bak%3Avalidity%3AX-n2.tomcat1 exp=-1 la=5 cas=9 fetch=no cls=3 size=120 flags=7 ext_page=1 ext_offset=2 \n" +
          "key=a exp=10 la=1 cas=1 fetch=no\nEND\r\n",
      ),
    ]);
    expect(lines).toEqual([
      { key: "bak:validity:X-n2.tomcat1", exp: -1, la: 5, size: 120 },
      { key: "a", exp: 10, la: 1, size: 0 },
    ]);
  });

  it("stops at END and ignores anything after it", () => {
    const { lines, scanner } = scan([Buffer.from("END\r\nkey=x exp=-1 la=1 cas=1 fetch=no\n")]);
    expect(lines).toEqual([]);
    expect(scanner.done).toBe(true);
  });

  it("reports BUSY, ERROR, CLIENT_ERROR, garbage and a line without exp/la as errors and stops", () => {
    const cases: Array<[string, string]> = [
      ["BUSY currently processing crawler request\r\n", "BUSY"],
      ["ERROR metadump not allowed\r\n", "ERROR"],
      ["CLIENT_ERROR lru crawler disabled\r\n", "CLIENT_ERROR"],
      ["<html>\n", "UNEXPECTED"],
      ["key=a la=1\n", "UNEXPECTED"],
    ];
    for (const [text, status] of cases) {
      const { lines, scanner } = scan([Buffer.from(`${text}key=b exp=-1 la=1 cas=1\nEND\r\n`)]);
      expect(scanner.error?.status, text).toBe(status);
      expect(scanner.done).toBe(true);
      expect(lines).toEqual([]);
    }
    expect(scan([Buffer.from("BUSY currently processing crawler request\r\n")]).scanner.error).toEqual({
      status: "BUSY",
      line: "BUSY currently processing crawler request",
    });
  });
});

describe("decodeKey", () => {
  it("decodes UTF-8 escapes and keeps invalid sequences as bytes", () => {
    expect(decodeKey("plain-key_1.~")).toBe("plain-key_1.~");
    expect(decodeKey("caf%C3%A9%20x")).toBe("café x");
    expect(decodeKey("bad%FFbyte")).toBe("bad\u00ffbyte");
  });
});

describe("metadump lines that never end", () => {
  it("are an error, not a growing buffer, whether they arrive in one chunk or many", () => {
    const first = Buffer.from("key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=60\n");
    const one = scan([first, Buffer.alloc(MAX_METADUMP_LINE + 1, 0x41)]);
    expect(one.lines).toHaveLength(1);
    expect(one.scanner.done).toBe(true);
    expect(one.scanner.error?.status).toBe("UNEXPECTED");

    const pieces = Array.from({ length: 40 }, () => Buffer.alloc(1024, 0x41));
    const many = scan([first, ...pieces]);
    expect(many.lines).toHaveLength(1);
    expect(many.scanner.done).toBe(true);
    expect(many.scanner.error?.line).toMatch(/longer than/);

    // A long line that does end is refused too: no item line is anywhere near that size.
    const ended = scan([Buffer.concat([Buffer.alloc(MAX_METADUMP_LINE + 10, 0x41), Buffer.from("\nEND\r\n")])]);
    expect(ended.scanner.error?.status).toBe("UNEXPECTED");
  });
});
