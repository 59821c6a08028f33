import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { enumerateMemcachedKeyBatches } from "@/server/adapters/stores/memcached-msm/enumerate";
import { classifyMsmKey, type TMsmKeyRole } from "@/server/adapters/stores/memcached-msm/keys";
import { decodeMsmSessionValue, decodeMsmValidity } from "@/server/adapters/stores/memcached-msm/value";
import type { TKeyCheck, TKeyCopy, TNodeCopier, TServerAddress } from "@/server/adapters/stores/store-operations";
import type { TStoreNode } from "@/server/adapters/stores/types";

const SESSION_ROLES: ReadonlySet<TMsmKeyRole> = new Set(["session", "validity", "backup", "backup-validity", "lock"]);

/**
 * Replacing the server behind MSM node nX, id kept (docs/reference/session-stores.md §1.6 point 4):
 * every session key on the old server (its own sessions with `validity:` and `lock:`, and the `bak:` pairs
 * it holds for the previous node) is copied to the new one with its remaining TTL and flags (§6.2).
 *
 * The application keeps writing while this runs, on the old server and, during the switch window, on
 * the new one. So a copy never rolls a newer value back: the target is read first (with its CAS token),
 * then the source; a missing key is written with "add", and an existing different one is replaced by
 * compare-and-swap only when the source's copy is provably newer (MSM's thisAccessedTime, which every
 * request advances, in the session and validity values). Anything else on the target is kept.
 */
export function openMsmNodeCopier(
  store: TStoreConfig,
  prefix: string,
  source: TStoreNode,
  target: TServerAddress,
): TNodeCopier {
  const src = new MemcachedTextClient({ host: source.host, port: source.port, timeoutMs: 5_000 });
  const dst = new MemcachedTextClient({ host: target.host, port: target.port, timeoutMs: 5_000 });
  const roleOf = (key: string) => classifyMsmKey(key, prefix).role;
  const isSessionKey = (key: string) => SESSION_ROLES.has(roleOf(key));

  async function* keyBatches(node: TStoreNode): AsyncIterable<string[]> {
    for await (const batch of enumerateMemcachedKeyBatches([node])) {
      const keys = batch.map((k) => k.key).filter(isSessionKey);
      if (keys.length > 0) yield keys;
    }
  }

  async function copyKey(key: string, dryRun: boolean): Promise<TKeyCopy> {
    try {
      const to = await dst.metaGet(key);
      const from = await src.metaGet(key);
      // t0: expiring this very second; copying it with T0 would make it immortal (§6.2).
      if (!from?.value || from.ttlSeconds === 0) return { key, result: "gone" };
      if (to?.value && to.value.equals(from.value) && to.flags === from.flags) return { key, result: "same" };
      if (to?.value && !isNewer(roleOf(key), from.value, to.value)) return { key, result: "kept" };
      if (dryRun) return { key, result: "copied" };
      if (from.ttlSeconds === undefined)
        return {
          key,
          result: "failed",
          reason: "the source did not report the key's TTL (memcached older than 1.6.10?)",
        };
      const ttlSeconds = from.ttlSeconds === null ? 0 : from.ttlSeconds;
      const status = await dst.metaSet(key, from.value, {
        ttlSeconds,
        flags: from.flags ?? 0,
        ...(to?.value ? { casToken: to.cas } : { mode: "E" as const }),
      });
      if (status === "HD") return { key, result: "copied" };
      if (status === "EX" || status === "NS") return { key, result: "kept" }; // written on the target meanwhile: that write wins
      return { key, result: "failed", reason: `storing on ${target.host}:${target.port} answered ${status}` };
    } catch (err) {
      return { key, result: "failed", reason: (err as Error).message };
    }
  }

  async function checkKey(key: string): Promise<TKeyCheck> {
    const [from, to] = await Promise.all([src.metaGet(key), dst.metaGet(key)]);
    const sourceBytes = from?.value?.length ?? 0;
    const targetBytes = to?.value?.length ?? 0;
    if (!from?.value) return { key, state: "gone", sourceBytes, targetBytes };
    if (!to?.value) return { key, state: "missing", sourceBytes, targetBytes };
    return {
      key,
      state: to.value.equals(from.value) && to.flags === from.flags ? "same" : "differs",
      sourceBytes,
      targetBytes,
    };
  }

  return {
    keyBatches: () => keyBatches(source),
    copy: (keys, dryRun) => Promise.all(keys.map((k) => copyKey(k, dryRun))),
    check: (keys) => Promise.all(keys.map(checkKey)),
    async countTargetKeys() {
      let n = 0;
      for await (const keys of keyBatches({ id: source.id, host: target.host, port: target.port })) n += keys.length;
      return n;
    },
    configChange() {
      const nodes = (ns: Array<{ id: string; host: string; port: number }>) =>
        ns.map((n) => `${n.id}:${n.host}:${n.port}`).join(",");
      const after = store.nodes.map((n) =>
        n.id === source.id ? { id: n.id, host: target.host, port: target.port } : n,
      );
      return [
        `On every Tomcat of the cluster, in the context's MSM <Manager> (context.xml): memcachedNodes="${nodes(store.nodes)}" → memcachedNodes="${nodes(after)}", then reload the context (or set memcachedNodes through the Manager's JMX attribute).`,
        `Keep the node id ${source.id}: every session id ends in -${source.id}, and MSM finds the session by that id.`,
        `In the console's inventory: store ${store.name}, node ${source.id} → host ${target.host}, port ${target.port}.`,
        `Then run this replacement again: it copies what changed on ${source.host}:${source.port} during the switch (newer values only). Stop ${source.host}:${source.port} only after that.`,
      ];
    },
    close() {
      src.close();
      dst.close();
    },
  };
}

/** Is `from` newer than `to`? Only decodable session and validity values can say; everything else: no. */
function isNewer(role: TMsmKeyRole, from: Buffer, to: Buffer): boolean {
  try {
    if (role === "session" || role === "backup")
      return decodeMsmSessionValue(from).thisAccessedTime > decodeMsmSessionValue(to).thisAccessedTime;
    if (role === "validity" || role === "backup-validity")
      return decodeMsmValidity(from).thisAccessedTime > decodeMsmValidity(to).thisAccessedTime;
  } catch {
    // not MSM's format (another transcoder): which one is newer is unknown, so the target's is kept
  }
  return false;
}
