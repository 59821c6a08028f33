import { z } from "zod";

/** Environment, parsed once at start (docs/conventions.md §4). */
export const ZEnv = z.object({
  DATABASE_URL: z.string().min(1).default("file:./data/clusterdeck.db"),
  /** YAML inventory imported (upserted by name) at start; the lab writes one. */
  CLUSTERDECK_INVENTORY: z.string().optional(),
  /** Most polls in flight at once across all frontends. */
  CLUSTERDECK_POLL_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Set to "0" to run the console without its poller (e.g. a read-only replica). */
  CLUSTERDECK_POLLER: z.enum(["0", "1"]).default("1"),
  /** The first admin, created on first start when there are no users. Without a password, one is generated and printed once. */
  CLUSTERDECK_ADMIN_USER: z.string().min(1).max(64).default("admin"),
  CLUSTERDECK_ADMIN_PASSWORD: z
    .string()
    .min(10, "CLUSTERDECK_ADMIN_PASSWORD must have at least 10 characters")
    .optional(),
  /**
   * Seconds between session scans of a store while its sessions are needed (someone viewed them recently,
   * a rollout waits, an operation runs); 0 = only when asked (Rescan now, an operation's listing).
   */
  CLUSTERDECK_SESSION_SCAN_INTERVAL_S: z.coerce.number().int().min(0).max(86_400).default(30),
  /** Seconds a look at a cluster's sessions keeps its stores scanned. */
  CLUSTERDECK_SESSION_SCAN_DEMAND_S: z.coerce.number().int().min(10).max(86_400).default(300),
  /**
   * The directory nginx include files must lie in: the console rewrites them, so an inventory entry may
   * not point it at any other file. Unset = nginx frontends cannot be used.
   */
  CLUSTERDECK_NGINX_INCLUDE_DIR: z
    .string()
    .refine((p) => p.startsWith("/"), "CLUSTERDECK_NGINX_INCLUDE_DIR must be an absolute path")
    .optional(),
  /**
   * Addresses of reverse proxies in front of the console (comma-separated IPs): only their
   * X-Forwarded-For / X-Forwarded-Proto are believed. Unset = none (the socket's address is the client).
   */
  CLUSTERDECK_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /**
   * host:port of a second listener that serves GET /metrics without a token (loopback or a monitoring
   * network only); unset: /metrics is served by the console with a viewer's bearer token only.
   */
  CLUSTERDECK_METRICS_ADDR: z.string().min(1).optional(),
  /**
   * Several instances on PostgreSQL: this instance's name in the lease table (unique among the live
   * ones). Default: host name, process id and a random suffix.
   */
  CLUSTERDECK_INSTANCE_ID: z.string().min(1).max(200).optional(),
  /**
   * Several instances on PostgreSQL: how long a duty's lease lasts without renewal (renewed every third of
   * it). A dead instance's duties are taken over within 4/3 of it: keep it at most 1.2 × the shortest poll
   * interval so that is within two intervals.
   */
  CLUSTERDECK_LEASE_TTL_MS: z.coerce.number().int().min(300).max(600_000).default(2_400),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type TEnv = z.infer<typeof ZEnv>;

let cached: TEnv | undefined;
export function getEnv(): TEnv {
  cached ??= ZEnv.parse(process.env);
  return cached;
}
