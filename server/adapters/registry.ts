import type { TFrontendAdapter } from "@/server/adapters/frontends/adapter";
import { apacheBalancerAdapter } from "@/server/adapters/frontends/apache-balancer";
import { modJkAdapter } from "@/server/adapters/frontends/mod-jk";
import { AppError } from "@/server/errors";

/** The only place that maps a frontend kind to its adapter (CONVENTIONS.md §5). */
const frontendAdapters = {
  "apache-balancer": apacheBalancerAdapter,
  "mod-jk": modJkAdapter,
} as const satisfies Record<string, TFrontendAdapter>;

export type TFrontendKind = keyof typeof frontendAdapters;
export const FRONTEND_KINDS = Object.keys(frontendAdapters) as [TFrontendKind, ...TFrontendKind[]];

export function getFrontendAdapter(kind: string): TFrontendAdapter {
  const adapter = (frontendAdapters as Record<string, TFrontendAdapter>)[kind];
  if (!adapter) throw new AppError("INVALID_INPUT", `Unknown frontend kind "${kind}"; known kinds: ${FRONTEND_KINDS.join(", ")}`);
  return adapter;
}

export function listFrontendAdapters(): TFrontendAdapter[] {
  return Object.values(frontendAdapters);
}
