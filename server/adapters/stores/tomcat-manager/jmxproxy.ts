/** Pure parsing of the Tomcat Manager app's JMX proxy text answers (Tomcat 10.1 /manager/jmxproxy). */
import { UnexpectedResponseError } from "@/server/errors";
import type { TStoreNodeReading } from "@/server/adapters/stores/node-reading";

/** `invoke=…&op=listSessionIds`: "OK - Operation listSessionIds returned:\n<id> <id> …". */
export function parseListSessionIds(text: string): string[] {
  const [status, ...rest] = text.split("\n");
  if (!status?.startsWith("OK"))
    throw new UnexpectedResponseError(
      "Tomcat Manager jmxproxy",
      `listSessionIds failed: ${status?.trim() || "empty answer"}`,
    );
  return rest
    .join(" ")
    .split(/\s+/)
    .filter((s) => s.length > 0);
}

/**
 * `invoke=…&op=<op>`: the returned value, trimmed ("OK - Operation <op> returned:\n<value>"); null when
 * the operation returns nothing or an empty value (unknown session: "" or -1 per operation).
 */
export function parseInvokeResult(text: string): string | null {
  const [status, ...rest] = text.split("\n");
  if (!status?.startsWith("OK"))
    throw new UnexpectedResponseError(
      "Tomcat Manager jmxproxy",
      `operation failed: ${status?.trim() || "empty answer"}`,
    );
  const value = rest.join("\n").trim();
  return value === "" || value === "-1" || value === "null" ? null : value;
}

/**
 * A session time as the Manager MBean gives it: a millisecond timestamp (getCreationTimestamp, …) or
 * Java's Date.toString() ("Sun Nov 22 05:30:00 UTC 2026"; DeltaManager has only that form). A zone
 * abbreviation JavaScript does not know (CET, …) gives null rather than a wrong time.
 */
export function parseJavaTime(value: string | null): Date | null {
  if (value === null) return null;
  if (/^\d+$/.test(value)) return new Date(Number(value));
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t);
}

/** `qry=…`: "Name: …" then "attribute: value" lines; returns the attributes of the first MBean. */
export function parseMbeanAttributes(text: string): Record<string, string> {
  const lines = text.split("\n");
  if (!lines[0]?.startsWith("OK"))
    throw new UnexpectedResponseError("Tomcat Manager jmxproxy", `query failed: ${lines[0]?.trim() || "empty answer"}`);
  const out: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (line.trim() === "" && Object.keys(out).length > 0) break;
    const i = line.indexOf(": ");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 2).trim();
  }
  return out;
}

/**
 * With in-memory replication (DeltaManager / BackupManager) a session survives losing a member when
 * another node also holds it. The member's sessions are those it holds whose id names its route, plus any
 * other it holds alone: behind a balancer that ignores routes (nginx hashing the cookie) BackupManager
 * keeps a session's primary wherever its user lands, whatever the id says. `idsByNode` lists only the
 * nodes whose copies count (up and staying in rotation). Pure, so it is tested without Tomcats.
 */
export function replicaSafety(
  route: string,
  idsByNode: Record<string, readonly string[]>,
): { total: number; safe: number; unsafe: string[] } {
  const elsewhere = new Set(
    Object.entries(idsByNode)
      .filter(([node]) => node !== route)
      .flatMap(([, ids]) => ids),
  );
  let total = 0;
  const unsafe: string[] = [];
  for (const id of idsByNode[route] ?? []) {
    const routed = id.endsWith(`.${route}`);
    const alone = !elsewhere.has(id);
    if (routed || alone) total++;
    if (alone) unsafe.push(id);
  }
  return { total, safe: total - unsafe.length, unsafe };
}

/**
 * The Manager MBean's attributes (`qry=Catalina:type=Manager,…`; captured from Tomcat 10.1 DeltaManager in
 * __fixtures__/manager-deltamanager-10.1.txt) as a store node reading: one node is one Tomcat. The
 * Manager reports no uptime; a counter that goes down (sessionCounter) says the context restarted.
 */
export function managerReading(a: Record<string, string>): TStoreNodeReading {
  const n = (name: string): number => Number(a[name] ?? 0);
  return {
    version: a.className ?? a.modelerType ?? "",
    uptimeSeconds: null,
    items: n("activeSessions"),
    memoryUsedBytes: null,
    memoryLimitBytes: null,
    connections: null,
    counters: { created: n("sessionCounter"), expired: n("expiredSessions"), rejected: n("rejectedSessions") },
    evictingPolicy: null,
    details: {
      activeSessions: n("activeSessions"),
      maxActive: n("maxActive"),
      maxActiveSessions: n("maxActiveSessions"),
      sessionCounter: n("sessionCounter"),
      expiredSessions: n("expiredSessions"),
      rejectedSessions: n("rejectedSessions"),
      sessionAverageAliveTime: n("sessionAverageAliveTime"),
      sessionMaxAliveTime: n("sessionMaxAliveTime"),
      state: a.stateName ?? null,
    },
  };
}

/**
 * BackupManager's LazyReplicatedMap turns any lookup of a session on a Tomcat that holds its backup (or a
 * proxy) into a takeover: that Tomcat becomes the primary and picks a new backup. The Manager's per-session
 * JMX operations look the session up, so a read-only tool must not call them there.
 */
export function readingMovesSession(managerClassName: string): boolean {
  return managerClassName.endsWith(".BackupManager");
}
