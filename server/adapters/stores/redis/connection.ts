import { Redis, type RedisOptions } from "ioredis";
import { ReplyTooLargeError } from "@/server/errors";

/**
 * A session hash or value, a SCAN page, INFO: all far below this. DUMP of a session bigger than this
 * (replace a store server) fails with a size error instead of being buffered.
 */
export const MAX_REDIS_REPLY_BYTES = 8 * 1024 * 1024;

export type TRedisOptions = RedisOptions & {
  /** Largest single reply; a bigger one fails every pending command with ReplyTooLargeError. */
  maxReplyBytes?: number;
};

/**
 * Every Redis connection of the store adapters is opened here, so each one has a reply size limit:
 * ioredis buffers a reply whole before handing it over, and would buffer whatever a broken or hostile
 * server announces.
 */
export function openRedis(url: string, options: TRedisOptions): Redis {
  const { maxReplyBytes = MAX_REDIS_REPLY_BYTES, ...rest } = options;
  const redis = new Redis(url, rest);
  const target = new URL(url).host;
  // ioredis attaches its decoder to each new stream before it emits "connect" (the same tick), so the
  // meter sees every byte the decoder does.
  redis.on("connect", () => {
    const meter = new RespReplyMeter(maxReplyBytes);
    const stream = redis.stream;
    stream.on("data", (chunk: Buffer) => {
      if (!meter.push(chunk)) return;
      const err = new ReplyTooLargeError(`Redis ${target}`, maxReplyBytes);
      stream.removeAllListeners("data");
      redis.recoverFromFatalError(err, err, { offlineQueue: false });
    });
  });
  return redis;
}

/**
 * Follows the RESP2/RESP3 framing of a reply stream (type byte, length line, counted elements) without
 * decoding values, to know how many bytes the reply in progress has taken. `push` returns true once
 * one reply passes the limit, or announces a string longer than the limit.
 */
export class RespReplyMeter {
  /** Elements still to come in each open aggregate (array, set, map, push, attribute). */
  private readonly open: number[] = [];
  private line = "";
  /** Bytes of the current bulk string still to skip, its CRLF included. */
  private bulkLeft = 0;
  private replyBytes = 0;
  private over = false;

  constructor(private readonly limitBytes: number) {}

  push(chunk: Buffer): boolean {
    let pos = 0;
    while (pos < chunk.length && !this.over) {
      if (this.bulkLeft > 0) {
        const n = Math.min(this.bulkLeft, chunk.length - pos);
        this.bulkLeft -= n;
        this.count(n);
        pos += n;
        if (this.bulkLeft === 0) this.elementDone();
        continue;
      }
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl < 0 ? chunk.length : nl + 1;
      this.count(end - pos);
      // Only a line's head matters (type and length); a long simple string is counted, not kept.
      if (this.line.length < 32) this.line += chunk.toString("latin1", pos, Math.min(end, pos + 32));
      pos = end;
      if (nl >= 0) {
        const line = this.line;
        this.line = "";
        this.onLine(line);
      }
    }
    return this.over;
  }

  private count(n: number): void {
    this.replyBytes += n;
    if (this.replyBytes > this.limitBytes) this.over = true;
  }

  private onLine(line: string): void {
    const type = line[0];
    const n = Number.parseInt(line.slice(1), 10);
    switch (type) {
      case "$": // bulk string
      case "!": // blob error
      case "=": // verbatim string
        if (!(n >= 0)) return this.elementDone();
        if (n > this.limitBytes) this.over = true;
        this.bulkLeft = n + 2;
        return;
      case "*": // array
      case "~": // set
      case ">": // push
        if (!(n > 0)) return this.elementDone();
        this.open.push(n);
        return;
      case "%": // map: key and value per entry
        if (!(n > 0)) return this.elementDone();
        this.open.push(2 * n);
        return;
      case "|": // attribute map, followed by the reply it describes
        this.open.push(2 * n + 1);
        return;
      default: // simple string, error, integer, null, boolean, double, big number
        return this.elementDone();
    }
  }

  private elementDone(): void {
    while (this.open.length > 0) {
      const i = this.open.length - 1;
      this.open[i]! -= 1;
      if (this.open[i]! > 0) return;
      this.open.pop();
    }
    this.replyBytes = 0; // one whole reply read
  }
}
