import { errorStatusOf, MAX_METADUMP_LINE, type TErrorReplyStatus } from "./protocol";

/**
 * Byte-level reader of `lru_crawler metadump` output (memcached doc/protocol.txt; checked against 1.6.18):
 *
 *   key=<uri-encoded key> exp=<abs|-1> la=<abs> cas=<n> fetch=<yes|no> cls=<n> size=<n> [flags=<n>] [ext_*]\n
 *   …
 *   END\r\n
 *
 * A million sessions are four million lines (480 MiB): turning each into a string, splitting it and
 * building an object cost three times the socket read. Here a line is a range of the received chunk,
 * read in one forward pass of plain byte comparisons (no call into C++ per field: those calls were most
 * of the scanner's cost, see ../bytes.ts), numbers digit by digit, and the key handed over as a byte
 * range, still uri-encoded, for the caller to classify and copy. Only a line cut by a chunk boundary is
 * copied (joined with the start of the next chunk).
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

export class MetadumpScanner {
  done = false;
  error: { status: TErrorReplyStatus | "UNEXPECTED"; line: string } | null = null;
  /** Item lines seen so far. */
  items = 0;
  private tail: Buffer | null = null;
  /** The number the last readNumber() read (NaN when it was not one). */
  private num = NaN;
  /** What the last successful fastFields() read. */
  private fExp = 0;
  private fLa = 0;
  private fSize = 0;
  /** What the last digits() read. */
  private dv = 0;

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
      this.line(line, 0, line.length, sink);
      pos = nl + 1;
    }
    const len = chunk.length;
    while (!this.done && pos < len) {
      const next = this.line(chunk, pos, len, sink);
      if (next < 0) {
        // The line goes on in the next chunk: keep its start (a copy: the chunk is not ours to hold).
        if (len - pos > MAX_METADUMP_LINE) return this.tooLong();
        this.tail = Buffer.from(chunk.subarray(pos));
        return;
      }
      pos = next;
    }
  }

  /**
   * The line starting at `start`, read in one forward pass over its bytes (its "\n" found on the way):
   * returns where the next line starts, or -1 when no "\n" comes before `limit`.
   */
  private line(buf: Buffer, start: number, limit: number, sink: TMetadumpSink): number {
    if (
      limit - start < 4 ||
      buf[start] !== 0x6b /* k */ ||
      buf[start + 1] !== 0x65 /* e */ ||
      buf[start + 2] !== 0x79 /* y */ ||
      buf[start + 3] !== EQ
    )
      return this.otherLine(buf, start, limit);
    const keyStart = start + 4;
    let p = keyStart;
    // memcached uri-encodes keys here, so every key byte is printable: one comparison per byte finds
    // the space (or line end) after it.
    while (p < limit && buf[p]! > SPACE) p++;
    const keyEnd = p;
    const fast = this.fastFields(buf, p, limit);
    if (fast >= 0) {
      this.items++;
      sink(buf, keyStart, keyEnd, this.fExp, this.fLa, this.fSize);
      return fast;
    }
    let exp = NaN;
    let la = NaN;
    let size = 0;
    // Fields as name=value; exp, la and size are the only ones read: cas, fetch, cls, flags and ext_* are skipped.
    for (;;) {
      if (p >= limit) return -1;
      const c = buf[p]!;
      if (c === NL) break;
      if (c === SPACE || c === CR) {
        p++;
        continue;
      }
      const nameStart = p;
      while (p < limit) {
        const d = buf[p]!;
        if (d === EQ || d === SPACE || d === NL || d === CR) break;
        p++;
      }
      if (p >= limit) return -1;
      if (buf[p] !== EQ) continue; // a bare word: nothing to read
      const nameLen = p - nameStart;
      const c0 = buf[nameStart];
      p++;
      if (nameLen === 3 && c0 === 0x65 /* e */ && buf[nameStart + 1] === 0x78 && buf[nameStart + 2] === 0x70) {
        p = this.readNumber(buf, p, limit);
        exp = this.num;
      } else if (nameLen === 2 && c0 === 0x6c /* l */ && buf[nameStart + 1] === 0x61) {
        p = this.readNumber(buf, p, limit);
        la = this.num;
      } else if (nameLen === 4 && c0 === 0x73 /* s */ && buf[nameStart + 1] === 0x69) {
        p = this.readNumber(buf, p, limit);
        size = this.num;
      } else {
        while (p < limit) {
          const d = buf[p]!;
          if (d === SPACE || d === NL || d === CR) break;
          p++;
        }
      }
    }
    if (Number.isNaN(exp) || Number.isNaN(la)) {
      this.fail("UNEXPECTED", buf.toString("latin1", start, Math.min(p, start + 300)));
      return p + 1;
    }
    this.items++;
    sink(buf, keyStart, keyEnd, exp, la, Number.isNaN(size) ? 0 : size);
    return p + 1;
  }

  /**
   * The fields as memcached 1.5.4–1.6 prints them, in its order (proto_text.c / crawler.c):
   * " exp=N la=N cas=N fetch=yes|no cls=N size=N", then the line end or more fields (flags=, ext_*).
   * Read with no field-name loop: each byte is looked at once, against one or two values (profiled on
   * 2,000,000 lines: about 290 ms against 400 ms for the general reader). Anything else, -1 (and the general
   * reader takes the line); on success, where the next line starts, the numbers in fExp, fLa and fSize.
   */
  private fastFields(buf: Buffer, p: number, limit: number): number {
    if (p + 5 >= limit || buf[p] !== SPACE || buf[p + 1] !== 0x65 || buf[p + 2] !== 0x78 || buf[p + 3] !== 0x70)
      return -1;
    if (buf[p + 4] !== EQ) return -1;
    p += 5;
    let sign = 1;
    if (buf[p] === MINUS) {
      sign = -1;
      p++;
    }
    p = this.digits(buf, p, limit);
    const exp = this.dv;
    // " la="
    if (p < 0 || p + 4 >= limit || buf[p] !== SPACE || buf[p + 1] !== 0x6c || buf[p + 2] !== 0x61) return -1;
    if (buf[p + 3] !== EQ) return -1;
    p = this.digits(buf, p + 4, limit);
    const la = this.dv;
    if (p < 0 || p >= limit || buf[p] !== SPACE) return -1;
    // " cas=N fetch=W cls=N ": three fields not read, skipped to the space after each.
    for (let skip = 0; skip < 3; skip++) {
      p++;
      while (p < limit && buf[p] !== SPACE) {
        if (buf[p] === NL) return -1;
        p++;
      }
      if (p >= limit) return -1;
    }
    // "size="
    if (p + 6 >= limit || buf[p + 1] !== 0x73 || buf[p + 2] !== 0x69 || buf[p + 3] !== 0x7a || buf[p + 4] !== 0x65)
      return -1;
    if (buf[p + 5] !== EQ) return -1;
    p = this.digits(buf, p + 6, limit);
    const size = this.dv;
    if (p < 0 || p >= limit) return -1;
    const c = buf[p]!;
    // The line end, past any further fields (flags=, ext_*) and a trailing space or CR.
    if (c !== NL) {
      if (c !== SPACE && c !== CR) return -1;
      while (p < limit && buf[p] !== NL) p++;
      if (p >= limit) return -1;
    }
    this.fExp = sign * exp;
    this.fLa = la;
    this.fSize = size;
    return p + 1;
  }

  /** Digits from p into `dv`; returns where they end, or -1 when there is none. */
  private digits(buf: Buffer, p: number, limit: number): number {
    const start = p;
    let n = 0;
    for (; p < limit; p++) {
      const c = buf[p]!;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
    }
    this.dv = n;
    return p === start ? -1 : p;
  }

  /** A decimal integer (optionally negative) up to the next space or line end, into `num` (NaN if not one). */
  private readNumber(buf: Buffer, p: number, limit: number): number {
    let sign = 1;
    if (p < limit && buf[p] === MINUS) {
      sign = -1;
      p++;
    }
    let n = 0;
    let digits = 0;
    let ok = true;
    while (p < limit) {
      const c = buf[p]!;
      if (c === SPACE || c === NL || c === CR) break;
      const d = c - 0x30;
      if (d < 0 || d > 9) ok = false;
      else n = n * 10 + d;
      digits++;
      p++;
    }
    this.num = ok && digits > 0 ? sign * n : NaN;
    return p;
  }

  /** END, an error reply, or garbage: a rare line, read with the native search. */
  private otherLine(buf: Buffer, start: number, limit: number): number {
    const nl = buf.indexOf(NL, start);
    if (nl < 0 || nl >= limit) return -1;
    let end = nl;
    while (end > start && (buf[end - 1] === CR || buf[end - 1] === SPACE)) end--;
    if (end === start) return nl + 1;
    if (end - start === 3 && buf[start] === 0x45 && buf[start + 1] === 0x4e && buf[start + 2] === 0x44) {
      this.done = true;
      return nl + 1;
    }
    const text = buf.toString("latin1", start, Math.min(end, start + 300));
    this.fail(errorStatusOf(text) ?? "UNEXPECTED", text);
    return nl + 1;
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
