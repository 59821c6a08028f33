import net from "node:net";
import {
  ReplyTooLargeError,
  TargetTimeoutError,
  TargetUnreachableError,
  UnexpectedResponseError,
} from "@/server/errors";
import { acquireCrawler, noteCrawlerBusy } from "./crawler-lock";
import { MetadumpScanner, metadumpKey, type TMetadumpSink } from "./metadump-scanner";
import {
  isValidTextKey,
  parseMetaGetReply,
  presenceReplies,
  parseMetaStatusReply,
  parseNoopBarrier,
  parseStatsReply,
  type TErrorReplyStatus,
  type TMetadumpEntry,
  type TMetaGetResult,
  type TMetaStatus,
  type TParseStep,
} from "./protocol";

/**
 * Small memcached text-protocol client for what memjs (binary protocol only) cannot do:
 * `stats` sub-commands, `lru_crawler metadump`, meta commands (`mg`/`ms`/`md`, memcached ≥ 1.6.10)
 * and raw `noreply` batches. Transport only; parsing lives in protocol.ts.
 */

/** The server answered with an error line (ERROR, CLIENT_ERROR, SERVER_ERROR, BUSY, …) or garbage. */
export class MemcachedReplyError extends UnexpectedResponseError {
  constructor(
    readonly target: string,
    readonly command: string,
    readonly status: TErrorReplyStatus | "UNEXPECTED",
    readonly line: string,
  ) {
    super(`memcached ${target} ${command}`, line.length > 200 ? `${line.slice(0, 200)}…` : line, {
      target,
      command,
      status,
      line,
    });
    this.name = "MemcachedReplyError";
  }
}

/** `lru_crawler` refused because another crawl is running (`BUSY currently processing crawler request`). */
export class MemcachedCrawlerBusyError extends MemcachedReplyError {
  constructor(target: string, line: string) {
    super(target, "lru_crawler metadump", "BUSY", line);
    this.name = "MemcachedCrawlerBusyError";
  }
}

export interface TMemcachedTextOptions {
  host: string;
  port: number;
  /** Per-command limit: from sending the command (or connecting) to its complete reply. */
  timeoutMs?: number;
  /** Largest single reply (a value, a stats listing); default MAX_REPLY_BYTES. */
  maxReplyBytes?: number;
}

/**
 * memcached keeps items up to 1 MiB unless started with a larger -I; a session bigger than this is
 * refused (ReplyTooLargeError) rather than buffered, so a broken or hostile server cannot grow the console.
 */
export const MAX_REPLY_BYTES = 8 * 1024 * 1024;

interface TPending {
  command: string;
  parse: (buf: Buffer) => TParseStep<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface TMetaSetOptions {
  /** Seconds; 0 = never expires. Values over 30 days are absolute unix time (classic rule). */
  ttlSeconds: number;
  flags?: number;
  /** `E` add, `A` append, `P` prepend, `R` replace, `S` set (default). */
  mode?: "E" | "A" | "P" | "R" | "S";
  /** Store only if the item's CAS is still this token (from metaGet): EX when someone wrote it since. */
  casToken?: string;
}

export class MemcachedTextClient {
  readonly target: string;
  private readonly timeoutMs: number;
  private readonly maxReplyBytes: number;
  private socket: net.Socket | null = null;
  /** Received, not yet parsed; joined only once `need` bytes are there (a value arrives in many chunks). */
  private rxChunks: Buffer[] = [];
  private rxLength = 0;
  private need = 0;
  private readonly pending: TPending[] = [];

  constructor(private readonly opts: TMemcachedTextOptions) {
    this.target = `${opts.host}:${opts.port}`;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.maxReplyBytes = opts.maxReplyBytes ?? MAX_REPLY_BYTES;
  }

  /** `stats` or `stats <sub>` (slabs, items, settings, …) as name → value. */
  stats(sub?: "slabs" | "items" | "settings" | "conns" | "sizes"): Promise<Record<string, string>> {
    const cmd = sub ? `stats ${sub}` : "stats";
    return this.request(cmd, Buffer.from(`${cmd}\r\n`), parseStatsReply);
  }

  /** Meta get with value, remaining TTL, size, client flags and CAS token. null on a miss. */
  metaGet(key: string): Promise<TMetaGetResult | null> {
    assertKey(key);
    return this.request(`mg ${key}`, Buffer.from(`mg ${key} v t s f c\r\n`), parseMetaGetReply);
  }

  /** Meta set; returns HD (stored), NS (not stored, e.g. add on an existing key), EX or NF. */
  metaSet(key: string, value: Buffer, o: TMetaSetOptions): Promise<TMetaStatus> {
    assertKey(key);
    return this.request(
      `ms ${key}`,
      Buffer.concat([metaSetHead(key, value.length, o), value, CRLF]),
      parseMetaStatusReply,
    );
  }

  /** Meta delete; true when the key existed. */
  async metaDelete(key: string): Promise<boolean> {
    assertKey(key);
    const status = await this.request(`md ${key}`, Buffer.from(`md ${key}\r\n`), parseMetaStatusReply);
    return status === "HD";
  }

  /**
   * Writes pre-built `noreply` commands, then `mn` as a barrier: resolves once the server has
   * processed them all, rejects with the first error line the server sent back.
   */
  writeNoReply(payload: Buffer): Promise<true> {
    return this.request("noreply batch", Buffer.concat([payload, Buffer.from("mn\r\n")]), parseNoopBarrier);
  }

  /**
   * Pipelined meta gets: every command written at once, the replies read in order, one timeout for the
   * batch. An error reply fails the batch (after the rest of its replies are read, so the connection
   * stays in step).
   */
  metaGetMany(keys: readonly string[], flags = "v t s f c"): Promise<Array<TMetaGetResult | null>> {
    for (const k of keys) assertKey(k);
    if (keys.length === 0) return Promise.resolve([]);
    const suffix = flags ? ` ${flags}\r\n` : "\r\n";
    const payload = Buffer.from(keys.map((k) => `mg ${k}${suffix}`).join(""));
    return this.request(`mg ×${keys.length}`, payload, manyReplies(keys.length, parseMetaGetReply));
  }

  /**
   * Pipelined `mg <key>` without flags, the commands already written into `payload` by the caller (one
   * per key, `count` of them; see presenceCommands): 1 where the key is present, 0 where it is missing.
   */
  metaPresentMany(payload: Buffer, count: number): Promise<Uint8Array> {
    if (count === 0) return Promise.resolve(new Uint8Array(0));
    return this.request(`mg ×${count}`, payload, presenceReplies(count));
  }

  /** Pipelined meta sets (see metaSet); statuses in the order given. */
  metaSetMany(items: ReadonlyArray<{ key: string; value: Buffer; options: TMetaSetOptions }>): Promise<TMetaStatus[]> {
    if (items.length === 0) return Promise.resolve([]);
    const parts = items.flatMap(({ key, value, options }) => {
      assertKey(key);
      return [metaSetHead(key, value.length, options), value, CRLF];
    });
    return this.request(`ms ×${items.length}`, Buffer.concat(parts), manyReplies(items.length, parseMetaStatusReply));
  }

  /**
   * `lru_crawler metadump` read by the byte scanner, on its own connection (the server refuses other
   * commands pipelined before a metadump), holding this server's crawler lock for the whole dump.
   * `sink` is called for every item line; the generator yields once per received chunk so the caller can
   * pass on what its sink collected. Backpressure is the socket's: a slow consumer pauses the read.
   * `timeoutMs` bounds the wait for each chunk, not the whole dump.
   *
   * `hash` (memcached ≥ 1.6.9, the default here) walks the hash table: every item once. `all` walks
   * the LRU queues, and an item the LRU maintainer moves between queues during the walk (busy nodes,
   * or right after a bulk write) can be skipped: measured in the lab, 13 of 80,000 keys missed by a
   * dump run just after seeding, 500 of 400,000 in the benchmark. A listing that feeds an evacuation
   * must not skip sessions, so `all` is only the fallback for servers that refuse `hash`.
   */
  async *scanMetadump(sink: TMetadumpSink, mode: "hash" | "all" = "hash"): AsyncGenerator<void, void, undefined> {
    const release = await acquireCrawler(this.target);
    try {
      let started = false;
      try {
        for await (const _ of this.scanMode(sink, mode)) {
          started = true;
          yield;
        }
      } catch (err) {
        if (err instanceof MemcachedCrawlerBusyError) noteCrawlerBusy(this.target);
        const refused =
          err instanceof MemcachedReplyError &&
          !(err instanceof MemcachedCrawlerBusyError) &&
          !started &&
          mode === "hash";
        if (!refused) throw err;
        yield* this.scanMode(sink, "all");
      }
    } finally {
      release();
    }
  }

  /** Every item as an entry with its key as text, one array per received chunk (listings of keys, tests). */
  async *metadumpBatches(mode: "hash" | "all" = "hash"): AsyncGenerator<TMetadumpEntry[], void, undefined> {
    let batch: TMetadumpEntry[] = [];
    const sink: TMetadumpSink = (buf, ks, ke, exp, la, size) =>
      batch.push({ key: metadumpKey(buf, ks, ke), exp, la, size });
    for await (const _ of this.scanMetadump(sink, mode)) {
      if (batch.length === 0) continue;
      yield batch;
      batch = [];
    }
  }

  /** Same as metadumpBatches(), one entry at a time. */
  async *metadump(): AsyncGenerator<TMetadumpEntry, void, undefined> {
    for await (const batch of this.metadumpBatches()) yield* batch;
  }

  /**
   * One metadump into `sink`. The socket reads into one buffer of this scan's own, reused for every read
   * (net's `onread`), and the scanner runs right in the read callback: it copies whatever it keeps. The
   * stream default hands over a fresh 64 KiB buffer per read, 7,000 of them for a million sessions, and
   * their allocation cost more than the read (measured: about 1 CPU-s, mostly system time, in a process
   * with the console's modules loaded). The generator yields after each read that brought item lines; a
   * read that comes while the caller still holds the previous yield pauses the socket until it returns.
   */
  private async *scanMode(sink: TMetadumpSink, mode: "hash" | "all"): AsyncGenerator<void, void, undefined> {
    const scanner = new MetadumpScanner();
    const target = this.target;
    let unread = 0;
    let paused = false;
    let closed: Error | null = null;
    let wake: (() => void) | null = null;
    const readBuffer = Buffer.allocUnsafe(METADUMP_READ_BYTES);
    const socket = await connectSocket(this.opts.host, this.opts.port, this.timeoutMs, target, {
      buffer: readBuffer,
      callback: (n) => {
        if (scanner.done) return false;
        scanner.push(readBuffer.subarray(0, n), sink);
        unread++;
        const waiting = wake;
        wake = null;
        waiting?.();
        paused = waiting === null;
        return !paused;
      },
    });
    const stop = (err: Error) => {
      closed ??= err;
      const waiting = wake;
      wake = null;
      waiting?.();
    };
    socket.on("error", (err) => stop(toTransportError(target, this.timeoutMs, err)));
    socket.on("end", () => stop(new TargetUnreachableError(target, "connection closed before END of metadump")));
    socket.on("close", () => stop(new TargetUnreachableError(target, "connection closed before END of metadump")));
    try {
      socket.write(`lru_crawler metadump ${mode}\r\n`);
      for (;;) {
        if (unread === 0 && closed === null) await this.nextRead((w) => (wake = w));
        if (scanner.error) {
          const { status, line } = scanner.error;
          if (status === "BUSY") throw new MemcachedCrawlerBusyError(target, line);
          throw new MemcachedReplyError(target, "lru_crawler metadump", status, line);
        }
        if (unread > 0) {
          unread = 0;
          yield;
        }
        if (scanner.done) return;
        if (unread > 0) continue;
        if (closed) throw closed;
        if (paused) {
          paused = false;
          socket.resume();
        }
      }
    } catch (err) {
      throw toTransportError(target, this.timeoutMs, err);
    } finally {
      socket.destroy();
    }
  }

  /** Waits for the next read (or the socket's end), at most timeoutMs. */
  private nextRead(setWake: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new TargetTimeoutError(this.target, this.timeoutMs)), this.timeoutMs);
      setWake(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Closes the command connection; pending commands are rejected. */
  close(): void {
    this.fail(new TargetUnreachableError(this.target, "client closed"));
  }

  // ---- command connection ----------------------------------------------------------------------

  private request<T>(command: string, payload: Buffer, parse: (buf: Buffer) => TParseStep<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The stream is now out of step with the queue: drop the connection and every waiter.
        this.fail(new TargetTimeoutError(this.target, this.timeoutMs));
      }, this.timeoutMs);
      this.pending.push({ command, parse, resolve: resolve as (v: unknown) => void, reject, timer });
      this.ensureSocket().write(payload);
    });
  }

  private ensureSocket(): net.Socket {
    if (this.socket) return this.socket;
    const socket = net.createConnection({ host: this.opts.host, port: this.opts.port });
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.fail(toTransportError(this.target, this.timeoutMs, err), socket));
    socket.on("close", () => this.fail(new TargetUnreachableError(this.target, "connection closed"), socket));
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.rxChunks.push(chunk);
    this.rxLength += chunk.length;
    if (this.rxLength < this.need) return;
    let rx = this.rxChunks.length === 1 ? this.rxChunks[0]! : Buffer.concat(this.rxChunks, this.rxLength);
    this.need = 0;
    while (this.pending.length > 0 && rx.length > 0) {
      const head = this.pending[0]!;
      let step: TParseStep<unknown>;
      try {
        step = head.parse(rx);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (step.kind === "incomplete") {
        if (Math.max(step.need ?? 0, rx.length) > this.maxReplyBytes || endlessLine(rx, step.need)) {
          this.fail(new ReplyTooLargeError(`memcached ${this.target} ${head.command}`, this.maxReplyBytes));
          return;
        }
        this.need = step.need ?? 0;
        break;
      }
      if (step.kind === "progress") {
        // A pipelined batch: its complete replies were taken; only the unfinished one stays buffered.
        rx = rx.subarray(step.consumed);
        continue;
      }
      this.pending.shift();
      clearTimeout(head.timer);
      rx = rx.subarray(step.consumed);
      if (step.kind === "ok") head.resolve(step.value);
      else head.reject(new MemcachedReplyError(this.target, head.command, step.status, step.line));
    }
    this.rxChunks = rx.length > 0 ? [rx] : [];
    this.rxLength = rx.length;
    if (this.pending.length === 0 && rx.length > 0) {
      this.fail(new MemcachedReplyError(this.target, "(none)", "UNEXPECTED", rx.toString("utf8", 0, 200)));
    }
  }

  /** Rejects every waiter and drops the connection; the next command reconnects. */
  private fail(err: Error, from?: net.Socket): void {
    if (from && from !== this.socket) return;
    const socket = this.socket;
    this.socket = null;
    this.rxChunks = [];
    this.rxLength = 0;
    this.need = 0;
    const waiting = this.pending.splice(0);
    for (const p of waiting) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    socket?.destroy();
  }
}

const CRLF = Buffer.from("\r\n");
/** The metadump read buffer: a read takes what the kernel holds, up to this (fewer, larger reads). */
const METADUMP_READ_BYTES = 256 * 1024;

function metaSetHead(key: string, length: number, o: TMetaSetOptions): Buffer {
  if (!Number.isInteger(o.ttlSeconds) || o.ttlSeconds < 0)
    throw new RangeError(`ttlSeconds must be an integer ≥ 0, got ${o.ttlSeconds}`);
  const mode = o.mode && o.mode !== "S" ? ` M${o.mode}` : "";
  if (o.casToken !== undefined && !/^\d+$/.test(o.casToken))
    throw new RangeError(`casToken must be digits, got ${o.casToken}`);
  const cas = o.casToken !== undefined ? ` C${o.casToken}` : "";
  return Buffer.from(`ms ${key} ${length} T${o.ttlSeconds} F${o.flags ?? 0}${mode}${cas}\r\n`);
}

/**
 * Parses `count` replies of one pipelined batch as they arrive (complete ones are consumed at once, so a
 * batch of thousands is not re-read from its start on every chunk). The first error reply fails the batch
 * once every reply is in.
 */
function manyReplies<T>(
  count: number,
  parseOne: (buf: Buffer, start: number) => TParseStep<T>,
): (buf: Buffer) => TParseStep<T[]> {
  const out: T[] = [];
  let firstError: { status: TErrorReplyStatus | "UNEXPECTED"; line: string } | null = null;
  let seen = 0;
  return (buf) => {
    let pos = 0;
    while (seen < count) {
      // At an offset, not a subarray per reply: a batch has thousands of them.
      const step = parseOne(buf, pos);
      if (step.kind === "incomplete") return pos === 0 ? step : { kind: "progress", consumed: pos };
      if (step.kind === "progress") throw new Error("a single reply cannot be partial");
      seen++;
      pos += step.consumed;
      if (step.kind === "ok") out.push(step.value);
      else firstError ??= { status: step.status, line: step.line };
    }
    return firstError
      ? { kind: "error", consumed: pos, status: firstError.status, line: firstError.line }
      : { kind: "ok", consumed: pos, value: out };
  };
}

/**
 * Every reply line (a header, a STAT line) is short: bytes piling up with no line end in the last
 * MAX_LINE_BYTES is not memcached, and is refused before it reaches the reply limit (and before each
 * chunk makes the buffer be joined again).
 */
const MAX_LINE_BYTES = 64 * 1024;
function endlessLine(rx: Buffer, need: number | undefined): boolean {
  return need === undefined && rx.length > MAX_LINE_BYTES && rx.indexOf(0x0a, rx.length - MAX_LINE_BYTES) < 0;
}

function assertKey(key: string): void {
  if (!isValidTextKey(key))
    throw new RangeError(`Not a valid memcached text-protocol key: ${JSON.stringify(key.slice(0, 60))}`);
}

function connectSocket(
  host: string,
  port: number,
  timeoutMs: number,
  target: string,
  onread: net.OnReadOpts,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port, onread });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TargetTimeoutError(target, timeoutMs));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(toTransportError(target, timeoutMs, err));
    });
  });
}

function toTransportError(target: string, timeoutMs: number, err: unknown): Error {
  if (
    err instanceof UnexpectedResponseError ||
    err instanceof TargetTimeoutError ||
    err instanceof TargetUnreachableError
  )
    return err;
  const e = err as { code?: string; message?: string };
  if (e.code === "ETIMEDOUT") return new TargetTimeoutError(target, timeoutMs);
  return new TargetUnreachableError(target, e.code ?? e.message ?? String(err));
}
