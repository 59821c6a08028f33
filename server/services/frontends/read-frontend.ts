import { getFrontendAdapter } from "@/server/adapters/registry";
import type { TFrontendAdapter, TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import { AppError, UnexpectedResponseError } from "@/server/errors";

export interface TFrontendRow {
  kind: string;
  url: string;
  balancer: string;
  username: string | null;
  password: string | null;
  timeoutMs: number;
  /** Frontend.options as stored (JSON text); absent or null = {}. */
  options?: string | null;
}

/**
 * Validates a frontend's options with its kind's adapter; kinds that declare no parseOptions take none,
 * so a stray key is an error rather than silently ignored.
 */
export function parseFrontendOptions(adapter: TFrontendAdapter, raw: unknown): Record<string, unknown> {
  const value = raw ?? {};
  if (adapter.parseOptions) return adapter.parseOptions(value);
  if (typeof value !== "object" || Array.isArray(value) || Object.keys(value).length > 0) {
    throw new AppError("INVALID_INPUT", `${adapter.label} takes no options; remove "options" from this frontend`);
  }
  return {};
}

function storedOptions(row: TFrontendRow): unknown {
  if (!row.options) return {};
  try {
    return JSON.parse(row.options);
  } catch {
    throw new AppError(
      "INVALID_INPUT",
      `The frontend's stored options are not valid JSON; save them again in the inventory`,
    );
  }
}

export function toTarget(row: TFrontendRow): TFrontendTarget {
  const options = parseFrontendOptions(getFrontendAdapter(row.kind), storedOptions(row));
  return {
    url: row.url,
    balancer: row.balancer,
    username: row.username,
    password: row.password,
    timeoutMs: row.timeoutMs,
    options,
  };
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
