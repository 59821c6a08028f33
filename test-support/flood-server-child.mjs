// A peer that answers with far more than anyone should read (200 MB by default), run in its own process
// so the memory it uses is not counted against the client under test. Prints its port on stdout.
// Usage: node flood-server-child.mjs <http|http-redirect|memcached-value|memcached-line|redis-bulk> [bytes]
import http from "node:http";
import net from "node:net";

const mode = process.argv[2];
const total = Number(process.argv[3] ?? 200 * 1024 * 1024);
const block = Buffer.alloc(64 * 1024, 0x41);

/** Writes `total` bytes of "A" with backpressure, then ends; stops when the client goes away. */
function pump(stream, left, then) {
  let gone = false;
  stream.on("close", () => (gone = true));
  stream.on("error", () => (gone = true));
  const step = () => {
    while (!gone && left > 0) {
      const n = Math.min(left, block.length);
      left -= n;
      if (!stream.write(n === block.length ? block : block.subarray(0, n))) return void stream.once("drain", step);
    }
    if (!gone) then();
  };
  step();
}

function listen(server) {
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
}

if (mode === "http") {
  listen(
    http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/xml" });
      pump(res, total, () => res.end());
    }),
  );
} else if (mode === "http-redirect") {
  listen(
    http.createServer((req, res) => {
      req.resume();
      res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" });
      res.end();
    }),
  );
} else {
  listen(
    net.createServer((sock) => {
      sock.on("error", () => {});
      const onData = (data) => {
        const text = data.toString("latin1");
        // Redis: the client's handshake (CLIENT SETINFO, SELECT, …) is answered OK; the first read floods.
        if (mode === "redis-bulk" && !/\bget/i.test(text)) {
          sock.write("+OK\r\n".repeat((text.match(/(^|\r\n)\*/g) ?? [""]).length));
          return;
        }
        sock.off("data", onData);
        if (mode === "memcached-value") sock.write(`VA ${total} t-1 s${total} f0 c1\r\n`);
        else if (mode === "redis-bulk") sock.write(`$${total}\r\n`);
        // memcached-line: one endless line, never a CRLF
        pump(sock, total, () => sock.end("\r\n"));
      };
      sock.on("data", onData);
    }),
  );
}
