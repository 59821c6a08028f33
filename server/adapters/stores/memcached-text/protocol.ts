/**
 * Pure parsers for memcached's text protocol replies (memcached doc/protocol.txt, checked against
 * memcached 1.6.18 and the 1.6.45 docs). No I/O here: the client in client.ts feeds bytes in.
 *
 * Reply shapes handled:
 * - `stats [sub]`: `STAT <name> <value>\r\n` … `END\r\n`
 * - `mg <key> v t s f`: `VA <len> <flags>\r\n<data>\r\n`, `HD <flags>\r\n` (no v) or `EN\r\n` (miss)
 * - `ms` / `md`: `HD` | `NS` | `EX` | `NF` (+ optional return flags)
 * - `mn`: `MN\r\n` (used as a barrier after `noreply` batches)
 * `lru_crawler metadump` output is read byte by byte in metadump-scanner.ts.
 */
import type { TIdList } from "@/server/adapters/stores/scan-batch";

/** Replies that mean the command failed (protocol.txt "Error strings" + crawler replies in proto_text.c). */
export const ERROR_REPLY_PREFIXES = [
  "ERROR",
  "CLIENT_ERROR",
  "SERVER_ERROR",
  "BUSY",
  "BADCLASS",
  "NOTSTARTED",
] as const;
export type TErrorReplyStatus = (typeof ERROR_REPLY_PREFIXES)[number];

/** Returns the error status word if `line` is one of memcached's error replies, else null. */
export function errorStatusOf(line: string): TErrorReplyStatus | null {
  const word = line.split(" ", 1)[0] ?? "";
  return (ERROR_REPLY_PREFIXES as readonly string[]).includes(word) ? (word as TErrorReplyStatus) : null;
}

/** Result of trying to parse one reply from the front of a receive buffer. */
export type TParseStep<T> =
  /** `need`: the reply's total length when its header already says it (a `VA <len>` value). */
  | { kind: "incomplete"; need?: number }
  /** Part of a pipelined batch's replies was read: drop `consumed` bytes, wait for the rest. */
  | { kind: "progress"; consumed: number }
  | { kind: "ok"; consumed: number; value: T }
  | { kind: "error"; consumed: number; status: TErrorReplyStatus | "UNEXPECTED"; line: string };

const CRLF = Buffer.from("\r\n");

/** Index just past the next `\r\n` at or after `from`, or -1 when the line is not complete yet. */
function lineEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf(CRLF, from);
  return i < 0 ? -1 : i + 2;
}

function errorStep<T>(line: string, consumed: number): TParseStep<T> {
  return { kind: "error", consumed, status: errorStatusOf(line) ?? "UNEXPECTED", line };
}

/** `STAT name value` lines until `END`. Values may contain spaces (e.g. `stats settings`), so split once. */
export function parseStatsReply(buf: Buffer): TParseStep<Record<string, string>> {
  const out: Record<string, string> = {};
  let pos = 0;
  for (;;) {
    const end = lineEnd(buf, pos);
    if (end < 0) return { kind: "incomplete" };
    const line = buf.toString("utf8", pos, end - 2);
    pos = end;
    if (line === "END") return { kind: "ok", consumed: pos, value: out };
    if (!line.startsWith("STAT ")) return errorStep(line, pos);
    const rest = line.slice(5);
    const sp = rest.indexOf(" ");
    if (sp < 0) out[rest] = "";
    else out[rest.slice(0, sp)] = rest.slice(sp + 1);
  }
}

export interface TMetaGetResult {
  /** Value bytes; null when `v` was not requested. */
  value: Buffer | null;
  /** Remaining TTL in seconds; null = never expires (`t-1`), undefined = `t` not requested. */
  ttlSeconds: number | null | undefined;
  /** Item size as reported by `s` (value length), undefined when not requested. */
  size: number | undefined;
  /** Client flags (`f`), undefined when not requested. */
  flags: number | undefined;
  /** CAS token (`c`), for a compare-and-swap `ms … C<token>`; undefined when not requested. */
  cas: string | undefined;
}

/**
 * `mg` reply: `VA <len> <flags>\r\n<data>\r\n`, `HD <flags>\r\n` or `EN\r\n` (miss → value null). Read byte
 * by byte, with no string but the CAS token: an evacuation reads four keys per session, and a string, a
 * token array and a flags object per reply were most of its garbage.
 */
export function parseMetaGetReply(buf: Buffer, start = 0): TParseStep<TMetaGetResult | null> {
  const eol = buf.indexOf(CRLF, start);
  if (eol < 0) return { kind: "incomplete" };
  const end = eol + 2;
  const c0 = buf[start];
  const c1 = buf[start + 1];
  if (c0 === 0x45 /* E */ && c1 === 0x4e /* N */ && (eol === start + 2 || buf[start + 2] === 0x20))
    return { kind: "ok", consumed: end - start, value: null };
  const isVa = c0 === 0x56 /* V */ && c1 === 0x41; /* A */
  const isHd = c0 === 0x48 /* H */ && c1 === 0x44; /* D */
  if ((!isVa && !isHd) || (eol > start + 2 && buf[start + 2] !== 0x20))
    return errorStep(buf.toString("utf8", start, eol), end - start);
  let p = start + 2;
  let len = -1;
  if (isVa) {
    while (p < eol && buf[p] === 0x20) p++;
    const digitsFrom = p;
    len = 0;
    while (p < eol && buf[p]! >= 0x30 && buf[p]! <= 0x39) len = len * 10 + buf[p++]! - 0x30;
    if (p === digitsFrom || (p < eol && buf[p] !== 0x20))
      return errorStep(buf.toString("utf8", start, eol), end - start);
  }
  const out: TMetaGetResult = { value: null, ttlSeconds: undefined, size: undefined, flags: undefined, cas: undefined };
  while (p < eol) {
    if (buf[p] === 0x20) {
      p++;
      continue;
    }
    const flag = buf[p]!;
    const from = p + 1;
    while (p < eol && buf[p] !== 0x20) p++;
    if (flag === 0x63 /* c */) out.cas = buf.toString("latin1", from, p);
    else if (flag === 0x74 /* t */) out.ttlSeconds = intAt(buf, from, p);
    else if (flag === 0x73 /* s */) out.size = intAt(buf, from, p);
    else if (flag === 0x66 /* f */) out.flags = intAt(buf, from, p);
  }
  if (out.ttlSeconds === -1) out.ttlSeconds = null;
  if (isHd) return { kind: "ok", consumed: end - start, value: out };
  const total = end + len + 2;
  if (buf.length < total) return { kind: "incomplete", need: total - start };
  if (buf[end + len] !== 0x0d || buf[end + len + 1] !== 0x0a)
    return errorStep(buf.toString("utf8", start, eol), total - start);
  out.value = Buffer.from(buf.subarray(end, end + len));
  return { kind: "ok", consumed: total - start, value: out };
}

/** A decimal integer (optionally negative) from bytes [from, to); NaN when anything else is there. */
function intAt(buf: Buffer, from: number, to: number): number {
  let i = from;
  let sign = 1;
  if (buf[i] === 0x2d) {
    sign = -1;
    i++;
  }
  if (i >= to) return NaN;
  let n = 0;
  for (; i < to; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return sign * n;
}

/**
 * `count` replies of pipelined `mg <key>` (no flags): `HD` (present) or `EN` (missing), one byte each in
 * the answer. Read byte by byte as they arrive: a safe-to-stop check asks for hundreds of thousands of
 * keys, and a string, an array and an object per reply (parseMetaGetReply) were most of its time.
 */
export function presenceReplies(count: number): (buf: Buffer) => TParseStep<Uint8Array> {
  const out = new Uint8Array(count);
  let seen = 0;
  let firstError: { status: TErrorReplyStatus | "UNEXPECTED"; line: string } | null = null;
  return (buf) => {
    let pos = 0;
    const len = buf.length;
    while (seen < count) {
      let nl = pos;
      while (nl < len && buf[nl] !== 0x0a) nl++;
      if (nl >= len) return pos === 0 ? { kind: "incomplete" } : { kind: "progress", consumed: pos };
      const c0 = buf[pos];
      const c1 = buf[pos + 1];
      if (c0 === 0x48 /* H */ && c1 === 0x44 /* D */) out[seen] = 1;
      else if (!(c0 === 0x45 /* E */ && c1 === 0x4e) /* N */)
        firstError ??= errorOf(buf.toString("utf8", pos, Math.max(pos, nl - 1)));
      seen++;
      pos = nl + 1;
    }
    return firstError
      ? { kind: "error", consumed: pos, status: firstError.status, line: firstError.line }
      : { kind: "ok", consumed: pos, value: out };
  };
}

function errorOf(line: string): { status: TErrorReplyStatus | "UNEXPECTED"; line: string } {
  return { status: errorStatusOf(line) ?? "UNEXPECTED", line };
}

export type TMetaStatus = "HD" | "NS" | "EX" | "NF";

/** Single-line meta reply for `ms`/`md`: one of HD/NS/EX/NF, optionally followed by return flags. */
export function parseMetaStatusReply(buf: Buffer, start = 0): TParseStep<TMetaStatus> {
  const end = lineEnd(buf, start);
  if (end < 0) return { kind: "incomplete" };
  const line = buf.toString("latin1", start, end - 2);
  const code = line.split(" ", 1)[0];
  if (code === "HD" || code === "NS" || code === "EX" || code === "NF")
    return { kind: "ok", consumed: end - start, value: code };
  return errorStep(line, end - start);
}

/**
 * The `mn` barrier after a `noreply` batch: any line before `MN` is an error the server still sent
 * (noreply suppresses success replies only), reported as the first such line.
 */
export function parseNoopBarrier(buf: Buffer): TParseStep<true> {
  let pos = 0;
  let firstError: string | null = null;
  for (;;) {
    const end = lineEnd(buf, pos);
    if (end < 0) return { kind: "incomplete" };
    const line = buf.toString("utf8", pos, end - 2);
    pos = end;
    if (line === "MN")
      return firstError === null ? { kind: "ok", consumed: pos, value: true } : errorStep(firstError, pos);
    firstError ??= line;
  }
}

export interface TMetadumpEntry {
  /** URL-decoded key. */
  key: string;
  /** Absolute expiry in server unix seconds, or -1 = never. */
  exp: number;
  /** Last access, server unix seconds. */
  la: number;
  /** Total item bytes (header + key + value), not the value length; 0 before 1.5.4. */
  size: number;
}

/**
 * A metadump line is a key (250 bytes, up to 750 uri-encoded) and a few numbers; a line far longer than
 * that is garbage, and is not buffered (metadump-scanner.ts).
 */
export const MAX_METADUMP_LINE = 16 * 1024;

/** memcached's KEY_MAX_LENGTH. */
const MAX_KEY_BYTES = 250;

/** A key the text protocol can carry as-is: 1–250 bytes, no whitespace or control characters. */
export function isValidTextKey(key: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what the protocol forbids in a key
  return key.length > 0 && Buffer.byteLength(key) <= MAX_KEY_BYTES && !/[\s\x00-\x1f\x7f]/.test(key);
}

const MG = Buffer.from("mg ");

/**
 * `mg <prefix><id>\r\n` for the ids at `rows` of `ids`, written straight from their bytes (no string per
 * key). Ids of the session index are printable ASCII without spaces; a key over 250 bytes is refused.
 */
export function presenceCommands(prefix: Buffer, ids: TIdList, rows: Uint32Array): Buffer {
  let size = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    const keyLength = prefix.length + ids.starts[r + 1]! - ids.starts[r]!;
    if (keyLength > MAX_KEY_BYTES) throw new RangeError(`A key of ${keyLength} bytes is longer than memcached allows`);
    size += MG.length + keyLength + 2;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    out[at++] = 0x6d; // m
    out[at++] = 0x67; // g
    out[at++] = 0x20;
    for (let b = 0; b < prefix.length; b++) out[at++] = prefix[b]!;
    for (let b = ids.starts[r]!; b < ids.starts[r + 1]!; b++) out[at++] = ids.bytes[b]!;
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  }
  return out;
}
