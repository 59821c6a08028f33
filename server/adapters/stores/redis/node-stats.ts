import type { TStoreNodeReading } from "@/server/adapters/stores/node-reading";

/** `INFO` text (`# Section` headers, `name:value` lines, CRLF) as name → value. Pure. */
export function parseRedisInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** `db0:keys=12,expires=12,avg_ttl=0` → { keys, expires }. */
export function parseKeyspaceLine(value: string | undefined): { keys: number; expires: number } {
  const keys = /keys=(\d+)/.exec(value ?? "")?.[1];
  const expires = /expires=(\d+)/.exec(value ?? "")?.[1];
  return { keys: Number(keys ?? 0), expires: Number(expires ?? 0) };
}

/**
 * Redis `INFO` (all default sections; captured from 7.0.15 in __fixtures__/info-7.0.15.txt) as a store
 * node reading, for the store's `db`. Every maxmemory-policy but `noeviction` may drop keys when memory
 * is full, session keys included (`volatile-*` picks among keys with a TTL, which every session key has).
 */
export function redisReading(info: Record<string, string>, db: number): TStoreNodeReading {
  const n = (name: string): number => Number(info[name] ?? 0);
  const opt = (name: string): number | null => (info[name] === undefined ? null : Number(info[name]));
  const maxmemory = n("maxmemory");
  const policy = info.maxmemory_policy ?? "noeviction";
  const keyspace = parseKeyspaceLine(info[`db${db}`]);
  const replication: Record<string, string | number | null> = { role: info.role ?? null };
  if (info.role === "slave") {
    replication.masterHost = info.master_host ? `${info.master_host}:${info.master_port ?? ""}` : null;
    replication.masterLinkStatus = info.master_link_status ?? null;
  } else replication.connectedReplicas = opt("connected_slaves");
  return {
    version: info.redis_version ?? "",
    uptimeSeconds: opt("uptime_in_seconds"),
    items: keyspace.keys,
    memoryUsedBytes: n("used_memory"),
    memoryLimitBytes: maxmemory > 0 ? maxmemory : null,
    connections: opt("connected_clients"),
    counters: {
      hits: n("keyspace_hits"),
      misses: n("keyspace_misses"),
      evictions: n("evicted_keys"),
      expired: n("expired_keys"),
      commands: n("total_commands_processed"),
    },
    evictingPolicy: policy === "noeviction" ? null : policy,
    details: {
      ...replication,
      maxmemoryPolicy: policy,
      opsPerSecNow: opt("instantaneous_ops_per_sec"),
      keysWithTtl: keyspace.expires,
      ...Object.fromEntries(
        Object.entries(info)
          .filter(([k]) => /^db\d+$/.test(k))
          .map(([k, v]) => [`keys.${k}`, parseKeyspaceLine(v).keys]),
      ),
    },
  };
}
