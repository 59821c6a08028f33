import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { SyntheticBalancerManager } from "./balancer-manager";
import { SyntheticJkStatus } from "./jkstatus";
import { SyntheticHaproxy } from "./haproxy";
import type { TSyntheticFlip, TSyntheticMemberSpec } from "./members";

/**
 * A synthetic large frontend on a loopback port, in the test's (or the bench's) own process: for
 * scale tests only (docs/conventions.md §11); the real-server tests run against the lab. It serves what
 * the adapter of its kind reads and accepts the changes that adapter sends, for N members.
 */
export type TSyntheticKind = "apache-balancer" | "mod-jk" | "haproxy";

export interface TSyntheticFrontend {
  kind: TSyntheticKind;
  name: string;
  /** The inventory url and balancer of this frontend. */
  url: string;
  balancer: string;
  /** Changes a test makes behind the console's back (an operator on the status page, a crash). */
  flip: (member: string, flip: TSyntheticFlip) => void;
  /** Status requests answered and changes applied so far. */
  stats: () => { statusRequests: number; changes: number };
  close: () => Promise<void>;
}

export async function startSyntheticFrontend(
  kind: TSyntheticKind,
  name: string,
  members: readonly TSyntheticMemberSpec[],
): Promise<TSyntheticFrontend> {
  if (kind === "haproxy") return startHaproxy(name, members);
  if (kind === "mod-jk") return startJkStatus(name, members);
  return startBalancerManager(name, members);
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function track(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return sockets;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function startBalancerManager(name: string, members: readonly TSyntheticMemberSpec[]) {
  const bm = new SyntheticBalancerManager("tomcats", members);
  let statusRequests = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = req.method === "POST" ? new URLSearchParams(await readBody(req)) : null;
      // httpd ignores xml=1 (and every change) unless the Referer names the host it answers as.
      const referer = req.headers.referer ?? "";
      const xml = (body?.get("xml") ?? url.searchParams.get("xml")) === "1";
      if (url.pathname !== "/balancer-manager") {
        res.writeHead(404, { "Content-Type": "text/html" }).end("<html><body>Not Found</body></html>");
        return;
      }
      if (!referer.startsWith(`http://${req.headers.host}/`) || !xml) {
        res
          .writeHead(200, { "Content-Type": "text/html" })
          .end("<!DOCTYPE HTML PUBLIC><html><head><title>Balancer Manager</title></head><body></body></html>");
        return;
      }
      if (body) bm.handlePost(body);
      else statusRequests++;
      res.writeHead(200, { "Content-Type": "text/xml" }).end(bm.render());
    })();
  });
  const sockets = track(server);
  const port = await listen(server);
  return {
    kind: "apache-balancer" as const,
    name,
    url: `http://127.0.0.1:${port}/balancer-manager`,
    balancer: bm.balancer,
    flip: (m: string, f: TSyntheticFlip) => bm.flip(m, f),
    stats: () => ({ statusRequests, changes: bm.changes }),
    close: closer(server, sockets),
  };
}

async function startJkStatus(name: string, members: readonly TSyntheticMemberSpec[]) {
  const jk = new SyntheticJkStatus("lb", members);
  let statusRequests = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/jkstatus") {
      res.writeHead(404, { "Content-Type": "text/html" }).end("<html><body>Not Found</body></html>");
      return;
    }
    if (url.searchParams.get("cmd") === "show") statusRequests++;
    res.writeHead(200, { "Content-Type": "text/xml" }).end(jk.answer(url.searchParams));
  });
  const sockets = track(server);
  const port = await listen(server);
  return {
    kind: "mod-jk" as const,
    name,
    url: `http://127.0.0.1:${port}/jkstatus`,
    balancer: jk.balancer,
    flip: (m: string, f: TSyntheticFlip) => jk.flip(m, f),
    stats: () => ({ statusRequests, changes: jk.changes }),
    close: closer(server, sockets),
  };
}

async function startHaproxy(name: string, members: readonly TSyntheticMemberSpec[]) {
  const hap = new SyntheticHaproxy("tomcats", members);
  let statusRequests = 0;
  const server = net.createServer((socket) => {
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const end = buffered.indexOf("\n");
      if (end < 0) return;
      const line = buffered.slice(0, end);
      if (line.includes("show stat")) statusRequests++;
      socket.end(hap.answer(line));
    });
    socket.on("error", () => undefined);
  });
  const sockets = track(server);
  const port = await listen(server);
  return {
    kind: "haproxy" as const,
    name,
    url: `tcp://127.0.0.1:${port}`,
    balancer: hap.backend,
    flip: (m: string, f: TSyntheticFlip) => hap.flip(m, f),
    stats: () => ({ statusRequests, changes: hap.changes }),
    close: closer(server, sockets),
  };
}
