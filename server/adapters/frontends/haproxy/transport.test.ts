import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseHaproxyEndpoint, sendHaproxyCommand } from "./transport";

// Fault injection with small in-process servers (docs/conventions.md §11).
const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(onConnection: (socket: net.Socket) => void): Promise<string> {
  const server = net.createServer((socket) => {
    sockets.push(socket);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe("parseHaproxyEndpoint", () => {
  it.each([
    ["tcp://127.0.0.1:18101", { kind: "tcp", host: "127.0.0.1", port: 18101 }],
    ["tcp://[::1]:9999/", { kind: "tcp", host: "::1", port: 9999 }],
    ["unix:/run/haproxy/admin.sock", { kind: "unix", path: "/run/haproxy/admin.sock" }],
    ["unix:///run/haproxy/admin.sock", { kind: "unix", path: "/run/haproxy/admin.sock" }],
  ])("%s", (url, expected) => {
    expect(parseHaproxyEndpoint(url)).toStrictEqual(expected);
  });

  it.each([
    "http://127.0.0.1:18101",
    "tcp://127.0.0.1",
    "tcp://127.0.0.1:0",
    "tcp://127.0.0.1:70000",
    "unix:run/admin.sock",
    "",
  ])("refuses %j with what it expects", (url) => {
    expect(() => parseHaproxyEndpoint(url)).toThrow(/tcp:\/\/host:port or unix:\/path|absolute path/);
  });
});

describe("sendHaproxyCommand", () => {
  it("writes the command line and returns everything until HAProxy closes", async () => {
    let received = "";
    const url = await serve((socket) =>
      socket.once("data", (chunk) => {
        received = chunk.toString();
        socket.end("No such server.\n\n");
      }),
    );
    await expect(sendHaproxyCommand(url, "set server b/s state drain", 1000)).resolves.toBe("No such server.\n\n");
    expect(received).toBe("set server b/s state drain\n");
  });

  it("times out on a socket that accepts and never answers", async () => {
    const url = await serve(() => {});
    await expect(sendHaproxyCommand(url, "show info", 200)).rejects.toMatchObject({ code: "TARGET_TIMEOUT" });
  });

  it("reports a refused connection as unreachable", async () => {
    const url = await serve(() => {});
    const port = Number(url.split(":").pop());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    await expect(sendHaproxyCommand(`tcp://127.0.0.1:${port}`, "show info", 1000)).rejects.toMatchObject({
      code: "TARGET_UNREACHABLE",
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });

  it("refuses a command with a line break (it would be a second command)", async () => {
    await expect(sendHaproxyCommand("tcp://127.0.0.1:1", "show info\nshutdown sessions", 100)).rejects.toMatchObject({
      code: "INTERNAL",
    });
  });
});
