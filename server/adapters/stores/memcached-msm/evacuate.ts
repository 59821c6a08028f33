import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import type { TMetaGetResult, TMetaStatus } from "@/server/adapters/stores/memcached-text/protocol";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";
import type { TEvacuated, TNodeEvacuator } from "@/server/adapters/stores/store-operations";
import type { TStoreNode } from "@/server/adapters/stores/types";
import {
  backupKey,
  backupNodeFor,
  backupValidityKey,
  sessionKey,
  validityKey,
} from "@/server/adapters/stores/memcached-msm/keys";
import { AppError } from "@/server/errors";

/**
 * Evacuating MSM node nX (docs/reference/session-stores.md §1.6, point 3): when nX goes down, MSM
 * restores each session from the `bak:` pair on the next node. So: for every session whose id names nX,
 * make sure that pair exists there with the current bytes and the remaining TTL; copy it from nX where
 * it is missing or stale; read it back. Nothing is ever deleted: the source copy stays until nX is gone.
 *
 * The application rewrites both pairs on every request while this runs, so a copy must never roll a
 * newer backup back: the backup is read first (with its CAS token), then the primary, and the copy is
 * written only with "add" (backup missing) or compare-and-swap (backup unchanged since it was read). If
 * either refuses, the application wrote a fresh pair in between, which is what we wanted anyway.
 * Each step is one pipelined round trip for the whole batch.
 */
export function openMsmEvacuator(
  store: TStoreConfig,
  prefix: string,
  failoverNodes: readonly string[],
  source: TStoreNode,
): TNodeEvacuator {
  const fallbackId = backupNodeFor(
    source.id,
    store.nodes.map((n) => n.id),
    failoverNodes,
    [source.id],
  );
  const target = store.nodes.find((n) => n.id === fallbackId);
  if (!target || target.id === source.id)
    throw new AppError(
      "CONFLICT",
      `Store ${store.name} has no other node for ${source.id}'s backups: with one node, evacuating loses every session`,
    );
  const src = new MemcachedTextClient({ host: source.host, port: source.port, timeoutMs: 10_000 });
  const dst = new MemcachedTextClient({ host: target.host, port: target.port, timeoutMs: 10_000 });

  async function ensure(ids: string[], dryRun: boolean): Promise<TEvacuated[]> {
    const out: TEvacuated[] = ids.map((sessionId) => ({ sessionId, result: "ok" }));
    try {
      // Backups first (their CAS tokens), then the primaries: a backup read after its primary could be newer.
      const baks = await dst.metaGetMany(
        ids.flatMap((id) => [backupKey(id, prefix), backupValidityKey(id, prefix)]),
        "v t f c",
      );
      const prims = await src.metaGetMany(
        ids.flatMap((id) => [sessionKey(id, prefix), validityKey(id, prefix)]),
        "v t f",
      );
      const writes: Array<{ at: number; key: string; value: Buffer; options: Parameters<typeof dst.metaSet>[2] }> = [];
      ids.forEach((id, i) => {
        const primary = prims[2 * i];
        if (!primary?.value) {
          out[i] = { sessionId: id, result: "gone" }; // expired or invalidated meanwhile
          return;
        }
        const pairs: Array<[string, TMetaGetResult, TMetaGetResult | null | undefined]> = [
          [backupKey(id, prefix), primary, baks[2 * i]],
        ];
        const validity = prims[2 * i + 1];
        if (validity?.value) pairs.push([backupValidityKey(id, prefix), validity, baks[2 * i + 1]]);
        const stale = pairs.filter(([, from, to]) => !to?.value || !to.value.equals(from.value!));
        if (stale.length === 0) return;
        out[i] = { sessionId: id, result: "changed" };
        if (dryRun) return;
        for (const [key, from, to] of stale) {
          // Remaining TTL, not a fresh one: the copy must not outlive the session.
          const ttl = from.ttlSeconds === null || from.ttlSeconds === undefined ? 0 : Math.max(1, from.ttlSeconds);
          writes.push({
            at: i,
            key,
            value: from.value!,
            options: { ttlSeconds: ttl, flags: from.flags ?? 0, ...(to?.value ? { casToken: to.cas } : { mode: "E" }) },
          });
        }
      });
      if (writes.length === 0) return out;
      const statuses: TMetaStatus[] = await dst.metaSetMany(writes);
      const failed = new Set<number>();
      writes.forEach((w, k) => {
        const status = statuses[k];
        // EX / NS: the application wrote a newer pair meanwhile, which is as good.
        if (status === "HD" || status === "EX" || status === "NS" || failed.has(w.at)) return;
        failed.add(w.at);
        out[w.at] = {
          sessionId: ids[w.at]!,
          result: "failed",
          reason: `storing ${w.key} on ${target!.id} answered ${status}`,
        };
      });
      // Read back: present now, either our copy or a newer one the application wrote.
      const back = await dst.metaGetMany(
        writes.map((w) => w.key),
        "",
      );
      writes.forEach((w, k) => {
        if (back[k] || failed.has(w.at)) return;
        failed.add(w.at);
        out[w.at] = {
          sessionId: ids[w.at]!,
          result: "failed",
          reason: `${w.key} is not on ${target!.id} after copying`,
        };
      });
      return out;
    } catch (err) {
      return ids.map((sessionId) => ({ sessionId, result: "failed", reason: (err as Error).message }));
    }
  }

  return {
    fallback: target.id,
    ensure,
    close() {
      src.close();
      dst.close();
    },
  };
}
