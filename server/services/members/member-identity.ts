import type { TObservedMember } from "@/server/adapters/frontends/types";

export interface TInventoryMember {
  id: number;
  name: string;
  route: string;
  host: string;
  httpPort: number | null;
  ajpPort: number | null;
}

/**
 * Which inventory member an observed member is. The route (jvmRoute) is the identity operators and
 * session ids use; host + port is the fallback for frontends without routes. A balancer-manager worker
 * is an HTTP (or AJP) connector and a mod_jk member an AJP connector, so either port matches.
 */
export function matchMember(
  members: readonly TInventoryMember[],
  observed: TObservedMember,
): TInventoryMember | undefined {
  if (observed.route) {
    const byRoute = members.find((m) => m.route === observed.route);
    if (byRoute) return byRoute;
  }
  if (observed.host && observed.port) {
    return members.find(
      (m) => sameHost(m.host, observed.host!) && (m.httpPort === observed.port || m.ajpPort === observed.port),
    );
  }
  return undefined;
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (h.toLowerCase() === "localhost" ? "127.0.0.1" : h.toLowerCase());
  return norm(a) === norm(b);
}
