import http from "node:http";
import type { AddressInfo } from "node:net";
import { runCli } from "@/test-support/cli-run";

export interface TStubRequest {
  method: string;
  url: string;
  body: unknown;
}

/**
 * A console stand-in on loopback for CLI unit tests: it records every request (parsed JSON body) and answers
 * 200 with what `answer` returns for it, so a test asserts exactly what the CLI sent and how it printed it.
 */
export function stubConsole(answer: (req: TStubRequest, requests: readonly TStubRequest[]) => unknown) {
  const requests: TStubRequest[] = [];
  let url = "";
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const request = { method: req.method!, url: req.url!, body: raw ? (JSON.parse(raw) as unknown) : undefined };
      requests.push(request);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer(request, requests)));
    });
  });
  return {
    requests,
    start: () =>
      new Promise<void>((resolve) =>
        server.listen(0, "127.0.0.1", () => {
          url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          resolve();
        }),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    /** `clusterdeck <args> --cluster shop` in-process with an operator-looking token. */
    cli: async (args: string[]) => {
      const r = await runCli(url, "cdk_test", [...args, "--cluster", "shop"]);
      return { code: r.code, out: r.stdout, err: r.stderr };
    },
  };
}
