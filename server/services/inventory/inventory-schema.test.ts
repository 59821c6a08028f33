import { describe, expect, it } from "vitest";
import { ZFrontendInput } from "./inventory-schema";

const frontend = (kind: string, url: string) => ({ name: "f", kind, url, balancer: "b" });

describe("ZFrontendInput url", () => {
  it.each([
    ["apache-balancer", "http://10.0.0.5/balancer-manager"],
    ["mod-jk", "https://lb.example/jkstatus"],
    ["haproxy", "tcp://127.0.0.1:18101"],
    ["haproxy", "tcp://[::1]:9999"],
    ["haproxy", "unix:/run/haproxy/admin.sock"],
  ])("%s accepts %s", (kind, url) => {
    expect(ZFrontendInput.safeParse(frontend(kind, url)).success).toBe(true);
  });

  it.each([
    [
      "ftp://10.0.0.5/x",
      "only http:// and https:// status pages, or tcp://host:port and unix:/path runtime API sockets",
    ],
    // Parseable as URLs, but not a socket address: the message says which forms are accepted.
    ["tcp://127.0.0.1", "tcp://host:port and unix:/path"],
    ["unix:relative.sock", "tcp://host:port and unix:/path"],
    ["not a url", "must be a full URL"],
  ])("refuses %j with %j", (url, message) => {
    const result = ZFrontendInput.safeParse(frontend("haproxy", url));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join("; ")).toContain(message);
  });
});
