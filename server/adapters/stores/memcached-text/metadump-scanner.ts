import { errorStatusOf, MAX_METADUMP_LINE, type TErrorReplyStatus } from "./protocol";

/**
 * Byte-level reader of `lru_crawler metadump` output (memcached doc/protocol.txt; checked against 1.6.18):
 *
 *   key=<uri-encoded key> exp=<abs|-1> la=<abs> cas=<n> fetch=<yes|no> cls=<n> size=<n> [flags=<n>] [ext_*]\n
 *   …
 *   END\r\n
 *
 * A million sessions are four million lines (400+ MiB): turning each into a string, splitting it and
 * building an object cost three times the socket read. Here a line is a range of the received chunk:
 * line ends are found with Buffer#indexOf (native memchr), numbers are read digit by digit, and the key
 * is handed over as a byte range, still uri-encoded, for the caller to classify and copy. Only a line
 * cut by a chunk boundary is copied (joined with the start of the next chunk).
 */

/** One item line; `key` is valid only during the call (it points into the received chunk). */
export type TMetadumpSink = (
  buf: Buffer,
  keyStart: number,
  keyEnd: number,
  /** Absolute expiry (server clock, unix seconds), or -1 = never. */
  exp: number,
  /** Last access, server unix seconds. */
  la: number,
  /** Total item bytes (header + key + value); 0 when the server does not print it (before 1.5.4). */
  size: number,
) => void;

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const EQ = 0x3d;
const MINUS = 0x2d;
const KEY_EQ = Buffer.from("key=");
const END = Buffer.from("END");

export class MetadumpScanner {
  done = false;
  error: { status: TErrorReplyStatus | "UNEXPECTED"; line: string } | null = null;
  /** Item lines seen so far. */
  items = 0;
  private tail: Buffer | null = null;

  /** Feeds one received chunk; calls `sink` once per item line. Stops at END or at an error line. */
  push(chunk: Buffer, sink: TMetadumpSink): void {
    if (this.done) return;
    let pos = 0;
    if (this.tail) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        if (this.tail.length + chunk.length > MAX_METADUMP_LINE) return this.tooLong();
        this.tail = Buffer.concat([this.tail, chunk]);
        return;
      }
      if (this.tail.length + nl > MAX_METADUMP_LINE) return this.tooLong();
      const line = Buffer.concat([this.tail, chunk.subarray(0, nl + 1)]);
      this.tail = null;
      this.line(line, 0, line.length - 1, sink);
      pos = nl + 1;
    }
    while (!this.done) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) {
        if (chunk.length - pos > MAX_METADUMP_LINE) return this.tooLong();
        if (pos < chunk.length) this.tail = Buffer.from(chunk.subarray(pos));
        return;
      }
      if (nl - pos > MAX_METADUMP_LINE) return this.tooLong();
      this.line(chunk, pos, nl, sink);
      pos = nl + 1;
    }
  }

  /** One line [start, end) without its "\n"; a trailing "\r" or space is tolerated. */
  private line(buf: Buffer, start: number, end: number, sink: TMetadumpSink): void {
    while (end > start && (buf[end - 1] === CR || buf[end - 1] === SPACE)) end--;
    if (end === start) return;
    if (end - start >= 4 && buf.compare(KEY_EQ, 0, 4, start, start + 4) === 0) {
      const keyStart = start + 4;
      let keyEnd = buf.indexOf(SPACE, keyStart);
      if (keyEnd < 0 || keyEnd > end) keyEnd = end;
      let exp = NaN;
      let la = NaN;
      let size = 0;
      let p = keyEnd + 1;
      while (p < end) {
        const eq = buf.indexOf(EQ, p);
        if (eq < 0 || eq >= end) break;
        let sp = buf.indexOf(SPACE, eq);
        if (sp < 0 || sp > end) sp = end;
        const nameLen = eq - p;
        const c0 = buf[p];
        // exp, la and size are the only fields read; cas, fetch, cls, flags and ext_* are skipped.
        if (nameLen === 3 && c0 === 0x65 /* e */ && buf[p + 1] === 0x78 && buf[p + 2] === 0x70)
          exp = int(buf, eq + 1, sp);
        else if (nameLen === 2 && c0 === 0x6c /* l */ && buf[p + 1] === 0x61) la = int(buf, eq + 1, sp);
        else if (nameLen === 4 && c0 === 0x73 /* s */ && buf[p + 1] === 0x69) size = int(buf, eq + 1, sp);
        p = sp + 1;
      }
      if (Number.isNaN(exp) || Number.isNaN(la)) {
        this.fail("UNEXPECTED", buf.toString("latin1", start, end));
        return;
      }
      this.items++;
      sink(buf, keyStart, keyEnd, exp, la, Number.isNaN(size) ? 0 : size);
      return;
    }
    if (end - start === 3 && buf.compare(END, 0, 3, start, end) === 0) {
      this.done = true;
      return;
    }
    const text = buf.toString("latin1", start, Math.min(end, start + 300));
    this.fail(errorStatusOf(text) ?? "UNEXPECTED", text);
  }

  /** A line far longer than any item line is not a metadump: fail rather than buffer it (reply limits, issue 10). */
  private tooLong(): void {
    this.tail = null;
    this.fail("UNEXPECTED", `a line longer than ${MAX_METADUMP_LINE} bytes`);
  }

  private fail(status: TErrorReplyStatus | "UNEXPECTED", line: string): void {
    this.error = { status, line };
    this.done = true;
  }
}

/** A decimal integer (optionally negative) from bytes [start, end); NaN when anything else is there. */
function int(buf: Buffer, start: number, end: number): number {
  let i = start;
  let sign = 1;
  if (buf[i] === MINUS) {
    sign = -1;
    i++;
  }
  if (i >= end) return NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return sign * n;
}

/** The key of a metadump line as text: memcached uri-encodes every byte outside [A-Za-z0-9-._~] (util.c). */
export function metadumpKey(buf: Buffer, start: number, end: number): string {
  const pct = buf.indexOf(0x25, start);
  if (pct < 0 || pct >= end) return buf.toString("latin1", start, end);
  return decodeKey(buf.toString("latin1", start, end));
}

/** Decodes a uri-encoded key; keys are raw bytes, so an invalid UTF-8 sequence is kept byte for byte. */
export function decodeKey(encoded: string): string {
  if (!encoded.includes("%")) return encoded;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}
