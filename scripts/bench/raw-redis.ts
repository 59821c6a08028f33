/**
 * Raw baseline for enumerating Redis sessions: SCAN … MATCH <the layout's pattern> COUNT 1000, and a
 * PTTL of each key found, over a plain socket speaking RESP by hand: no client library, no index, no
 * key classification. Like the console's scan (redis/enumerate.ts), the next SCAN travels with this
 * batch's PTTLs, so each batch costs one round trip.
 */
import net from "node:net";

type TReply = string | number | null | TReply[];

/** One RESP reply at `pos`, or null when the buffer ends before it does. */
function readReply(buf: Buffer, pos: number): { value: TReply; next: number } | null {
  const eol = buf.indexOf("\r\n", pos, "latin1");
  if (eol < 0) return null;
  const type = buf[pos];
  const head = buf.toString("latin1", pos + 1, eol);
  if (type === 0x3a /* : */) return { value: Number(head), next: eol + 2 };
  if (type === 0x2b /* + */) return { value: head, next: eol + 2 };
  if (type === 0x2d /* - */) throw new Error(`redis: ${head}`);
  if (type === 0x24 /* $ */) {
    const n = Number(head);
    if (n < 0) return { value: null, next: eol + 2 };
    if (buf.length < eol + 2 + n + 2) return null;
    return { value: buf.toString("latin1", eol + 2, eol + 2 + n), next: eol + 2 + n + 2 };
  }
  if (type === 0x2a /* * */) {
    const items: TReply[] = [];
    let at = eol + 2;
    for (let i = 0; i < Number(head); i++) {
      const r = readReply(buf, at);
      if (!r) return null;
      items.push(r.value);
      at = r.next;
    }
    return { value: items, next: at };
  }
  throw new Error(`redis: unexpected reply byte ${type}`);
}

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

/** Keys matching `match` on the endpoint, each with its PTTL read; returns how many keys were found. */
export function rawRedisScan(host: string, port: number, match: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host, port });
    sock.setNoDelay(true);
    let rx: Buffer = Buffer.alloc(0);
    let expected = 1; // replies awaited: this batch's PTTLs, then the next SCAN
    let keys = 0;
    let replies: TReply[] = [];
    const scan = (cursor: string) => command("SCAN", cursor, "MATCH", match, "COUNT", "1000");
    sock.on("connect", () => sock.write(scan("0")));
    sock.on("data", (d: Buffer) => {
      rx = rx.length ? Buffer.concat([rx, d]) : d;
      let pos = 0;
      for (;;) {
        const r = readReply(rx, pos);
        if (!r) break;
        replies.push(r.value);
        pos = r.next;
      }
      rx = rx.subarray(pos);
      if (replies.length < expected) return;
      const [cursor, found] = replies[replies.length - 1] as [string, string[]];
      keys += found.length;
      replies = [];
      if (cursor === "0") {
        // The last batch's PTTLs still have to be read.
        if (found.length === 0) return finish();
        expected = found.length;
        sock.write(found.map((k) => command("PTTL", k)).join(""));
        sock.removeAllListeners("data");
        let left = found.length;
        let tail: Buffer = Buffer.alloc(0);
        sock.on("data", (more: Buffer) => {
          tail = tail.length ? Buffer.concat([tail, more]) : more;
          let at = 0;
          for (;;) {
            const r = readReply(tail, at);
            if (!r) break;
            left--;
            at = r.next;
          }
          tail = tail.subarray(at);
          if (left === 0) finish();
        });
        return;
      }
      expected = found.length + 1;
      sock.write(found.map((k) => command("PTTL", k)).join("") + scan(cursor));
    });
    sock.on("error", reject);
    function finish() {
      sock.destroy();
      resolve(keys);
    }
  });
}
