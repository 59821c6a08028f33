import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import { UnexpectedResponseError } from "@/server/errors";

export interface TFrontendRow {
  kind: string;
  url: string;
  balancer: string;
  username: string | null;
  password: string | null;
  timeoutMs: number;
}

export function toTarget(row: TFrontendRow): TFrontendTarget {
  return { url: row.url, balancer: row.balancer, username: row.username, password: row.password, timeoutMs: row.timeoutMs };
}

/** Reads one frontend and returns the balancer this cluster uses in it. Throws typed errors. */
export async function readBalancer(row: TFrontendRow): Promise<TBalancerSnapshot> {
  const adapter = getFrontendAdapter(row.kind);
  const text = await adapter.fetchStatusText(toTarget(row));
  const status = adapter.parseStatus(text);
  // balancer-manager matches b= case-insensitively, so we do too.
  const wanted = row.balancer.toLowerCase();
  const found = status.balancers.find((b) => b.name.toLowerCase() === wanted);
  if (!found) {
    const names = status.balancers.map((b) => b.name).join(", ") || "none";
    throw new UnexpectedResponseError(
      `${row.url}`,
      `no balancer named "${row.balancer}" (this frontend has: ${names}); fix the frontend's balancer name`,
      { balancer: row.balancer, available: names },
    );
  }
  return found;
}
