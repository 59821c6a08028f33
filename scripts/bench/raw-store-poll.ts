/**
 * Raw baseline of store polling: the same nodes asked the same thing (memcached `stats`, Redis `INFO`)
 * on the same interval over plain sockets kept open, replies read to their end and dropped. No parsing,
 * no rates, no history, no health rules: what any poller costs at least.
 *
 *   node --import tsx scripts/bench/raw-store-poll.ts '<json [{kind,host,port}]>' <intervalMs>
 */
import net from "node:net";

type TTarget = { kind: "memcached" | "redis"; host: string; port: number };

function asker(t: TTarget): () => Promise<number> {
  const sock = net.createConnection({ host: t.host, port: t.port });
  sock.setNoDelay(true);
  let pending: { resolve: (n: number) => void; chunks: Buffer[]; size: number } | null = null;
  const complete = (buf: Buffer): boolean => {
    if (t.kind === "memcached") return buf.subarray(-5).toString() === "END\r\n";
    const nl = buf.indexOf("\r\n");
    return nl > 0 && buf.length >= nl + 2 + Number(buf.subarray(1, nl).toString()) + 2;
  };
  sock.on("data", (d: Buffer) => {
    if (!pending) return;
    pending.chunks.push(d);
    pending.size += d.length;
    const all = Buffer.concat(pending.chunks);
    if (complete(all)) {
      const p = pending;
      pending = null;
      p.resolve(p.size);
    }
  });
  return () =>
    new Promise((resolve) => {
      pending = { resolve, chunks: [], size: 0 };
      sock.write(t.kind === "memcached" ? "stats\r\n" : "INFO\r\n");
    });
}

const targets = JSON.parse(process.argv[2]!) as TTarget[];
const intervalMs = Number(process.argv[3] ?? 10_000);
const askers = targets.map(asker);
const poll = () => void Promise.all(askers.map((ask) => ask()));
setInterval(poll, intervalMs);
poll();
console.log(JSON.stringify({ polling: targets.length }));
