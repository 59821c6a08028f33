import type { TFrontendAdapter } from "@/server/adapters/frontends/adapter";
import { apacheBalancerAdapter } from "@/server/adapters/frontends/apache-balancer";
import { modJkAdapter } from "@/server/adapters/frontends/mod-jk";
import { haproxyAdapter } from "@/server/adapters/frontends/haproxy";
import { nginxAdapter } from "@/server/adapters/frontends/nginx";
import { AppError } from "@/server/errors";
import type { TStoreAdapter } from "@/server/adapters/stores/adapter";
import { jdbcStoreAdapter } from "@/server/adapters/stores/jdbc-store";
import { memcachedMsmAdapter } from "@/server/adapters/stores/memcached-msm";
import { redisStoreAdapter } from "@/server/adapters/stores/redis";
import { tomcatManagerAdapter } from "@/server/adapters/stores/tomcat-manager";

/** The only place that maps a frontend kind to its adapter (docs/conventions.md §5). */
const frontendAdapters = {
  "apache-balancer": apacheBalancerAdapter,
  "mod-jk": modJkAdapter,
  haproxy: haproxyAdapter,
  nginx: nginxAdapter,
} as const satisfies Record<string, TFrontendAdapter>;

export type TFrontendKind = keyof typeof frontendAdapters;
export const FRONTEND_KINDS = Object.keys(frontendAdapters) as [TFrontendKind, ...TFrontendKind[]];

export function getFrontendAdapter(kind: string): TFrontendAdapter {
  const adapter = (frontendAdapters as Record<string, TFrontendAdapter>)[kind];
  if (!adapter)
    throw new AppError("INVALID_INPUT", `Unknown frontend kind "${kind}"; known kinds: ${FRONTEND_KINDS.join(", ")}`);
  return adapter;
}

/** The only place that maps a session store kind to its adapter. */
const storeAdapters = {
  "memcached-msm": memcachedMsmAdapter,
  "jdbc-store": jdbcStoreAdapter,
  redis: redisStoreAdapter,
  "tomcat-manager": tomcatManagerAdapter,
} as const satisfies Record<string, TStoreAdapter>;

export type TStoreKind = keyof typeof storeAdapters;
export const STORE_KINDS = Object.keys(storeAdapters) as [TStoreKind, ...TStoreKind[]];

export function getStoreAdapter(kind: string): TStoreAdapter {
  const adapter = (storeAdapters as Record<string, TStoreAdapter>)[kind];
  if (!adapter)
    throw new AppError("INVALID_INPUT", `Unknown session store kind "${kind}"; known kinds: ${STORE_KINDS.join(", ")}`);
  return adapter;
}
