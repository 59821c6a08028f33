import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

/**
 * Small in-process servers for fault injection (docs/conventions.md §11): a socket that never answers, a canned reply.
 */
export interface TFaultServer {
  url: string;
  close: () => Promise<void>;
}

/** Accepts connections and never writes a byte. */
export async function startHungServer(): Promise<TFaultServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/balancer-manager`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with the current canned reply; records the requests it got. */
export async function startCannedServer(
  status: number,
  body: string,
  contentType = "text/xml",
): Promise<TFaultServer & { requests: http.IncomingMessage[]; setReply: (status: number, body: string) => void }> {
  const requests: http.IncomingMessage[] = [];
  let reply = { status, body };
  const server = http.createServer((req, res) => {
    requests.push(req);
    res.writeHead(reply.status, { "Content-Type": contentType });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/balancer-manager`,
    requests,
    setReply: (s, b) => {
      reply = { status: s, body: b };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port with nothing listening (bound, then released). */
export async function findClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
