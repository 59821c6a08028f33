/**
 * Pure parsers for memcached's text protocol replies (memcached doc/protocol.txt, checked against
 * memcached 1.6.18 and the 1.6.45 docs). No I/O here: the client in client.ts feeds bytes in.
 *
 * Reply shapes handled:
 * - `stats [sub]`: `STAT <name> <value>\r\n` … `END\r\n`
 * - `mg <key> v t s f`: `VA <len> <flags>\r\n<data>\r\n`, `HD <flags>\r\n` (no v) or `EN\r\n` (miss)
 * - `ms` / `md`: `HD` | `NS` | `EX` | `NF` (+ optional return flags)
 * - `mn`: `MN\r\n` (used as a barrier after `noreply` batches)
 * - `lru_crawler metadump`: `key=<uri-encoded> exp=<abs|-1> la=<abs> cas=<n> fetch=<yes|no> cls=<n> size=<n> [flags=<n>] [ext_*]\n`
 *   lines then `END\r\n` (1.5.4+). Item lines end in a bare `\n` and sometimes a trailing space (1.6.x).
 */

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
  /** Every return flag as given, e.g. { t: "100", s: "3", f: "0" }. */
  returnFlags: Record<string, string>;
}

/** Parses the return-flag tokens of a meta reply (`t100 s3 f0 kfoo`): first char is the flag. */
export function parseMetaFlags(tokens: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const tok of tokens) if (tok.length > 0) flags[tok[0]!] = tok.slice(1);
  return flags;
}

/** `mg` reply: `VA <len> <flags>\r\n<data>\r\n`, `HD <flags>\r\n` or `EN\r\n` (miss → value null). */
export function parseMetaGetReply(buf: Buffer): TParseStep<TMetaGetResult | null> {
  const end = lineEnd(buf, 0);
  if (end < 0) return { kind: "incomplete" };
  const line = buf.toString("utf8", 0, end - 2);
  const tokens = line.split(" ");
  const code = tokens[0];
  if (code === "EN") return { kind: "ok", consumed: end, value: null };
  if (code === "HD") return { kind: "ok", consumed: end, value: toMetaGet(null, parseMetaFlags(tokens.slice(1))) };
  if (code !== "VA") return errorStep(line, end);
  const len = Number(tokens[1]);
  if (!Number.isInteger(len) || len < 0) return errorStep(line, end);
  const total = end + len + 2;
  if (buf.length < total) return { kind: "incomplete", need: total };
  if (buf[end + len] !== 0x0d || buf[end + len + 1] !== 0x0a) return errorStep(line, total);
  const value = Buffer.from(buf.subarray(end, end + len));
  return { kind: "ok", consumed: total, value: toMetaGet(value, parseMetaFlags(tokens.slice(2))) };
}

function toMetaGet(value: Buffer | null, f: Record<string, string>): TMetaGetResult {
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const t = num(f.t);
  return {
    value,
    ttlSeconds: t === undefined ? undefined : t === -1 ? null : t,
    size: num(f.s),
    flags: num(f.f),
    cas: f.c,
    returnFlags: f,
  };
}

export type TMetaStatus = "HD" | "NS" | "EX" | "NF";

/** Single-line meta reply for `ms`/`md`: one of HD/NS/EX/NF, optionally followed by return flags. */
export function parseMetaStatusReply(buf: Buffer): TParseStep<TMetaStatus> {
  const end = lineEnd(buf, 0);
  if (end < 0) return { kind: "incomplete" };
  const line = buf.toString("utf8", 0, end - 2);
  const code = line.split(" ", 1)[0];
  if (code === "HD" || code === "NS" || code === "EX" || code === "NF")
    return { kind: "ok", consumed: end, value: code };
  return errorStep(line, end);
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

// ---- lru_crawler metadump -------------------------------------------------------------------------

export interface TMetadumpEntry {
  /** URL-decoded key. */
  key: string;
  /** Absolute expiry in server unix seconds, or -1 = never. */
  exp: number;
  /** Last access, server unix seconds. */
  la: number;
  cas: number;
  fetch: boolean;
  /** Slab class; null on servers before 1.5.4. */
  cls: number | null;
  /** Total item bytes (header + key + value), not the value length; null before 1.5.4. */
  size: number | null;
  /** Client flags; only 1.6.24+ prints them. */
  flags: number | null;
}

export type TMetadumpLine =
  | { kind: "entry"; entry: TMetadumpEntry }
  | { kind: "end" }
  | { kind: "skip" }
  | { kind: "error"; status: TErrorReplyStatus | "UNEXPECTED"; line: string };

/** Parses one metadump line (without its line terminator; a trailing `\r` or space is tolerated). */
export function parseMetadumpLine(raw: string): TMetadumpLine {
  const line = raw.trim();
  if (line === "") return { kind: "skip" };
  if (line === "END") return { kind: "end" };
  if (!line.startsWith("key=")) return { kind: "error", status: errorStatusOf(line) ?? "UNEXPECTED", line };
  let key: string | null = null;
  let exp = NaN;
  let la = NaN;
  let cas = NaN;
  let fetch = false;
  let cls: number | null = null;
  let size: number | null = null;
  let flags: number | null = null;
  for (const tok of line.split(" ")) {
    const eq = tok.indexOf("=");
    if (eq < 0) continue;
    const name = tok.slice(0, eq);
    const value = tok.slice(eq + 1);
    switch (name) {
      case "key":
        key = decodeKey(value);
        break;
      case "exp":
        exp = Number(value);
        break;
      case "la":
        la = Number(value);
        break;
      case "cas":
        cas = Number(value);
        break;
      case "fetch":
        fetch = value === "yes";
        break;
      case "cls":
        cls = Number(value);
        break;
      case "size":
        size = Number(value);
        break;
      case "flags":
        flags = Number(value);
        break;
      default:
        // ext_page/ext_offset (extstore) and future fields are ignored on purpose.
        break;
    }
  }
  if (key === null || Number.isNaN(exp) || Number.isNaN(la)) return { kind: "error", status: "UNEXPECTED", line };
  return { kind: "entry", entry: { key, exp, la, cas, fetch, cls, size, flags } };
}

/** memcached uri-encodes every byte outside [A-Za-z0-9-._~] (util.c uriencode); keys are raw bytes, so decode leniently. */
export function decodeKey(encoded: string): string {
  if (!encoded.includes("%")) return encoded;
  try {
    return decodeURIComponent(encoded);
  } catch {
    // Not valid UTF-8 after decoding: keep each %XX as a latin1 char rather than fail the whole dump.
    return encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/**
 * A metadump line is a key (250 bytes, up to 750 uri-encoded) and a few numbers; a line far longer than
 * that is garbage, and is not buffered.
 */
export const MAX_METADUMP_LINE = 16 * 1024;

/**
 * Splits a byte stream into lines across chunk boundaries. Keeps only the unfinished tail between
 * calls, so memory stays bounded by one chunk whatever the dump size.
 */
export class LineSplitter {
  private tail = "";
  private readonly decoder = new TextDecoder("utf-8");
  /** Set when an unterminated line grew past maxLineLength: the stream is not what it claims to be. */
  overflow = false;

  constructor(private readonly maxLineLength = MAX_METADUMP_LINE) {}

  /** Returns the complete lines in `chunk` (terminators removed; a `\r` before `\n` is stripped). */
  push(chunk: Uint8Array): string[] {
    const text = this.tail + this.decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    this.tail = lines.pop() ?? "";
    if (this.tail.length > this.maxLineLength) {
      this.overflow = true;
      this.tail = "";
    }
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
    }
    return lines;
  }

  /** Whatever is left unterminated (at end of stream). */
  rest(): string {
    return this.tail + this.decoder.decode();
  }
}

/**
 * Stateful metadump parser: feed chunks, get entries; `done` once `END` is seen.
 * Throws nothing: error lines are returned so the transport can raise its typed error with context.
 */
export class MetadumpParser {
  private readonly splitter = new LineSplitter();
  done = false;
  error: { status: TErrorReplyStatus | "UNEXPECTED"; line: string } | null = null;

  push(chunk: Uint8Array): TMetadumpEntry[] {
    const out: TMetadumpEntry[] = [];
    if (this.done) return out;
    const lines = this.splitter.push(chunk);
    if (this.splitter.overflow) {
      this.error = { status: "UNEXPECTED", line: `a line longer than ${MAX_METADUMP_LINE} characters` };
      this.done = true;
      return out;
    }
    for (const line of lines) {
      const parsed = parseMetadumpLine(line);
      if (parsed.kind === "entry") out.push(parsed.entry);
      else if (parsed.kind === "end") {
        this.done = true;
        break;
      } else if (parsed.kind === "error") {
        this.error = { status: parsed.status, line: parsed.line };
        this.done = true;
        break;
      }
    }
    return out;
  }
}

/** A key the text protocol can carry as-is: 1–250 bytes, no whitespace or control characters. */
export function isValidTextKey(key: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what the protocol forbids in a key
  return key.length > 0 && Buffer.byteLength(key) <= 250 && !/[\s\x00-\x1f\x7f]/.test(key);
}
