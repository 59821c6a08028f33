import { AppError } from "@/server/errors";
import { parseSessionId } from "@/server/domain/session-id";

/**
 * memcached key layout of memcached-session-manager 2.3.2 (`SessionIdFormat`, `StorageKeyFormat`,
 * `MemcachedNodesManager`): docs/reference/session-stores.md §1.3 and §1.7.
 *
 * `prefix` is the storage-key prefix exactly as it appears in keys, terminator included: "" (the default,
 * since `webappVersion` is empty for unversioned webapps), "P_", "e93c085e:45e6345f:001_".
 */

export const MSM_KEY_PREFIXES = {
  validity: "validity:",
  backup: "bak:",
  lock: "lock:",
  /** Not stored: MSM GETs `P + "ping-" + nodeId` to probe node availability. */
  ping: "ping-",
} as const;

export type TMsmKeyRole = "session" | "validity" | "backup" | "backup-validity" | "lock" | "ping" | "other";

export interface TMsmKeyClass {
  role: TMsmKeyRole;
  /** Full session id the key belongs to (prefix stripped); null for ping and other keys. */
  sessionId: string | null;
}

export function sessionKey(sessionId: string, prefix = ""): string {
  return prefix + sessionId;
}

export function validityKey(sessionId: string, prefix = ""): string {
  return MSM_KEY_PREFIXES.validity + prefix + sessionId;
}

export function backupKey(sessionId: string, prefix = ""): string {
  return MSM_KEY_PREFIXES.backup + prefix + sessionId;
}

/**
 * `createBackupKey(createValidityInfoKeyName(id))` formats the already-prefixed validity key again, so the
 * prefix appears twice: `bak:P_validity:P_<id>` (observed with MSM 2.3.2, §1.7). Default: `bak:validity:<id>`.
 */
export function backupValidityKey(sessionId: string, prefix = ""): string {
  return MSM_KEY_PREFIXES.backup + prefix + validityKey(sessionId, prefix);
}

export function lockKey(sessionId: string, prefix = ""): string {
  return MSM_KEY_PREFIXES.lock + prefix + sessionId;
}

export function pingKey(nodeId: string, prefix = ""): string {
  return prefix + MSM_KEY_PREFIXES.ping + nodeId;
}

function idOrNull(candidate: string): string | null {
  try {
    return parseSessionId(candidate).id === candidate ? candidate : null;
  } catch {
    return null;
  }
}

const PING_NODE = /^\w+$/;

/**
 * Tells what an MSM key is for. The most specific prefixes are tried first: with an empty prefix
 * `bak:validity:X` also starts with `bak:`. A key whose remainder is not a session id is "other".
 */
export function classifyMsmKey(key: string, prefix = ""): TMsmKeyClass {
  const rules: [TMsmKeyRole, string][] = [
    ["backup-validity", MSM_KEY_PREFIXES.backup + prefix + MSM_KEY_PREFIXES.validity + prefix],
    ["backup", MSM_KEY_PREFIXES.backup + prefix],
    ["validity", MSM_KEY_PREFIXES.validity + prefix],
    ["lock", MSM_KEY_PREFIXES.lock + prefix],
  ];
  for (const [role, start] of rules) {
    if (!key.startsWith(start)) continue;
    const sessionId = idOrNull(key.slice(start.length));
    if (sessionId !== null) return { role, sessionId };
  }
  if (!key.startsWith(prefix)) return { role: "other", sessionId: null };
  const rest = key.slice(prefix.length);
  // `ping-n1` would also match MSM's id pattern, so it is checked before sessions.
  if (rest.startsWith(MSM_KEY_PREFIXES.ping) && PING_NODE.test(rest.slice(MSM_KEY_PREFIXES.ping.length))) {
    return { role: "ping", sessionId: null };
  }
  const sessionId = idOrNull(rest);
  return sessionId === null ? { role: "other", sessionId: null } : { role: "session", sessionId };
}

/**
 * The node holding a session's `bak:` keys (`MemcachedNodesManager.getNextAvailableNodeId` over
 * `NodeIdList.getNextNodeId`): the next node after `nodeId` in memcachedNodes order without the failover
 * nodes, wrapping around, skipping unavailable ones. null when there is no other available primary node
 * (single primary node, or all others down). Throws when `nodeId` is not a primary node, as MSM does.
 */
export function backupNodeFor(
  nodeId: string,
  nodeIds: readonly string[],
  failoverNodes: readonly string[] = [],
  unavailable: ReadonlySet<string> | readonly string[] = [],
): string | null {
  const down = new Set(unavailable);
  const failover = new Set(failoverNodes);
  const primary = nodeIds.filter((id) => !failover.has(id));
  const start = primary.indexOf(nodeId);
  if (start < 0) {
    throw new AppError(
      "INVALID_INPUT",
      `Node "${nodeId}" is not a primary MSM node (${primary.join(", ") || "none"})`,
      {
        nodeId,
        primary,
      },
    );
  }
  for (let step = 1; step < primary.length; step++) {
    const candidate = primary[(start + step) % primary.length];
    if (candidate !== undefined && !down.has(candidate)) return candidate;
  }
  return null;
}
