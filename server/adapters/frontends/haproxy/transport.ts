import net from "node:net";
import { AppError, ReplyTooLargeError, TargetTimeoutError, TargetUnreachableError } from "@/server/errors";
import { MAX_STATUS_REPLY_BYTES } from "@/server/adapters/read-limited";

/**
 * HAProxy's runtime API (the `stats socket`) in non-interactive mode: connect, write one line (several
 * commands may be joined by ";"), read until HAProxy closes the connection. Over TCP
 * (`tcp://host:port`, a `stats socket ipv4@host:port`) or a unix socket (`unix:/path`).
 * Returns the raw text; parsing is apart (parse.ts).
 */

export type THaproxyEndpoint = { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };

export function parseHaproxyEndpoint(url: string): THaproxyEndpoint {
  if (url.startsWith("unix:")) {
    const socketPath = url.slice("unix:".length).replace(/^\/\/(?=\/)/, "");
    if (!socketPath.startsWith("/"))
      throw new AppError(
        "INVALID_INPUT",
        `HAProxy runtime API "${url}": a unix socket needs an absolute path (unix:/run/haproxy/admin.sock)`,
      );
    return { kind: "unix", path: socketPath };
  }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(url);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) {
    throw new AppError(
      "INVALID_INPUT",
      `HAProxy runtime API "${url}" is not tcp://host:port or unix:/path (the address of its "stats socket")`,
    );
  }
  return { kind: "tcp", host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** Sends one command line and resolves with everything HAProxy wrote before closing. */
export async function sendHaproxyCommand(
  url: string,
  command: string,
  timeoutMs: number,
  maxBytes = MAX_STATUS_REPLY_BYTES,
): Promise<string> {
  const endpoint = parseHaproxyEndpoint(url);
  if (/[\r\n]/.test(command)) throw new AppError("INTERNAL", "a runtime API command must be one line");
  return new Promise((resolve, reject) => {
    const socket =
      endpoint.kind === "tcp"
        ? net.connect({ host: endpoint.host, port: endpoint.port })
        : net.connect({ path: endpoint.path });
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    // One deadline for connect, write and the whole answer: a socket that accepts and never answers cannot hold a poll.
    const timer = setTimeout(() => finish(new TargetTimeoutError(url, timeoutMs)), timeoutMs);
    socket.on("connect", () => socket.write(`${command}\n`));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) finish(new ReplyTooLargeError(`HAProxy runtime API ${url}`, maxBytes));
      else chunks.push(chunk);
    });
    socket.on("end", () => finish(null));
    socket.on("error", (err: NodeJS.ErrnoException) =>
      finish(new TargetUnreachableError(url, err.code ?? err.message)),
    );
  });
}

/**
 * Proxy and server names in HAProxy are letters, digits, "-", "_", ".", ":". Anything else is refused
 * before it reaches the socket: ";" would start a second command and a space would change the meaning.
 */
const NAME = /^[A-Za-z0-9_.:-]+$/;

export function assertHaproxyName(what: "backend" | "server", name: string): void {
  if (!NAME.test(name)) {
    throw new AppError(
      "INVALID_INPUT",
      `${what} "${name}" is not a valid HAProxy name (letters, digits, "-", "_", ".", ":" only)`,
      { [what]: name },
    );
  }
}
