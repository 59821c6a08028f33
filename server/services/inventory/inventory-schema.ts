import net from "node:net";
import { z } from "zod";
import { FRONTEND_KINDS, STORE_KINDS } from "@/server/adapters/registry";

const ZName = z
  .string()
  .trim()
  .min(1, "a name is required")
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, dot, dash or underscore (it appears in URLs)");
const ZPort = z.number().int().min(1).max(65535);
/** A runtime API socket (HAProxy's `stats socket`): tcp://host:port or unix:/absolute/path. */
const SOCKET_URL = /^(tcp:\/\/(\[[^\]]+\]|[^:/\s]+):\d{1,5}\/?|unix:\/\S+)$/;
const ZHttpUrl = z
  .string()
  .trim()
  .refine((u) => SOCKET_URL.test(u) || URL.canParse(u), {
    message: "must be a full URL such as http://10.0.0.5/balancer-manager",
    abort: true,
  })
  .refine(
    (u) => /^https?:\/\//.test(u) || SOCKET_URL.test(u),
    "only http:// and https:// status pages, or tcp://host:port and unix:/path runtime API sockets, are supported",
  );

/**
 * A host name (RFC 1123 labels) or an IP address, nothing else: a member's or store node's host goes
 * into URLs the console requests (health probes) and into a deploy command's environment, so it must
 * not carry a path, a port, credentials or command-line options.
 */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export const ZHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine((h) => HOST_NAME.test(h) || net.isIP(h) !== 0, "a host name or an IP address (no port, path or spaces)");

/** A jvmRoute as Tomcat and the balancers use it: letters, digits, ".", "_" and "-". */
export const ZRoute = z
  .string()
  .trim()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9._-]+$/, "a jvmRoute: letters, digits, dot, underscore or dash");

export const ZMemberInput = z.object({
  name: ZName,
  /** The jvmRoute: the suffix of session ids this member issues. */
  route: ZRoute,
  host: ZHost,
  httpPort: ZPort.nullish(),
  ajpPort: ZPort.nullish(),
});
export type TMemberInput = z.infer<typeof ZMemberInput>;

export const ZFrontendInput = z.object({
  name: ZName,
  kind: z.enum(FRONTEND_KINDS),
  url: ZHttpUrl,
  balancer: z.string().trim().min(1).max(128),
  username: z.string().max(256).nullish(),
  password: z.string().max(256).nullish(),
  pollIntervalMs: z.number().int().min(500).max(3_600_000).default(2000),
  timeoutMs: z.number().int().min(100).max(60_000).default(1500),
  enabled: z.boolean().default(true),
  /** Kind-specific (e.g. nginx's include file and commands); validated by the kind's adapter. Absent on update = unchanged. */
  options: z.record(z.string(), z.unknown()).optional(),
});
export type TFrontendInput = z.infer<typeof ZFrontendInput>;

export const ZStoreInput = z.object({
  name: ZName,
  kind: z.enum(STORE_KINDS),
  /** Kind-specific; validated by the kind's adapter (see parseOptions). */
  options: z.record(z.string(), z.unknown()).default({}),
  nodes: z
    .array(
      z.object({
        name: z.string().trim().regex(/^\w+$/, "node ids are letters, digits and _ (MSM's n1)"),
        host: ZHost,
        port: ZPort,
      }),
    )
    .min(1, "a store needs at least one node"),
  /** How often each node's stats are read, and how long one read may take. */
  pollIntervalMs: z.number().int().min(1000).max(3_600_000).default(10_000),
  timeoutMs: z.number().int().min(100).max(60_000).default(3_000),
});
export type TStoreInput = z.infer<typeof ZStoreInput>;

export const ZClusterInput = z.object({
  name: ZName,
  description: z.string().max(500).default(""),
});

/** The YAML inventory file (CLUSTERDECK_INVENTORY); the lab writes one. */
export const ZInventoryFile = z.object({
  clusters: z.array(
    ZClusterInput.extend({
      members: z.array(ZMemberInput).default([]),
      frontends: z.array(ZFrontendInput).default([]),
      stores: z.array(ZStoreInput).default([]),
    }),
  ),
});
export type TInventoryFile = z.infer<typeof ZInventoryFile>;
