import net from "node:net";

/**
 * Who is on the other end of a request, believing X-Forwarded-For / X-Forwarded-Proto only from the
 * reverse proxies the console is configured to trust (CLUSTERDECK_TRUSTED_PROXIES): anyone can send
 * those headers, and the address is what sign-in throttling counts and the audit log records.
 *
 * `peer` is the socket's address. The console's HTTP entry (server/http-entry.mjs) puts it in
 * PEER_HEADER, overwriting whatever a client sent there; without it (a bare `next dev`), the
 * address is unknown and forwarded headers are not believed.
 */
export const PEER_HEADER = "x-clusterdeck-peer";

export interface TClientAddress {
  ip: string | null;
  secure: boolean;
}

const normalize = (ip: string) => ip.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");

export function clientAddress(
  headers: Headers,
  trustedProxies: readonly string[],
  urlProtocol: string,
): TClientAddress {
  const peerHeader = headers.get(PEER_HEADER);
  const peer = peerHeader && net.isIP(normalize(peerHeader)) ? normalize(peerHeader) : null;
  const trusted = new Set(trustedProxies.map(normalize));
  const viaTrustedProxy = peer !== null && trusted.has(peer);
  if (!viaTrustedProxy) return { ip: peer, secure: urlProtocol === "https" };
  // Right to left: each trusted proxy appended the address it saw; the first untrusted one is the client.
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map(normalize)
    .filter((h) => net.isIP(h) !== 0);
  let ip = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i]!;
    if (!trusted.has(ip)) break;
  }
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return { ip, secure: proto ? proto === "https" : urlProtocol === "https" };
}
