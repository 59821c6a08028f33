import { readBalancer, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import { AppError, errorIdOf, publicErrorMessage } from "@/server/errors";
import { MAX_MESSAGE_CHARS, snippet } from "@/server/domain/snippet";
import {
  computeRates,
  getFrontendLive,
  liveMemberIndex,
  setFrontendLive,
  type TFrontendLive,
  type TLiveMember,
} from "@/server/poller/live-state";
import type { HistoryRecorder } from "@/server/poller/history";
import { emitEvent } from "@/server/poller/event-bus";
import { logger } from "@/server/logger";

export interface TPollTarget extends TFrontendRow {
  id: number;
  clusterId: number;
  name: string;
}

/**
 * Polls one frontend once and records the outcome, success or failure, as data: in the live table,
 * and (batched) in FrontendPoll and the history. Never throws (docs/conventions.md §8). The document is
 * parsed once; each member is then compared with the previous poll, and the event names only the
 * members whose state changed, so what follows a poll costs nothing for the others.
 */
export async function pollFrontend(
  target: TPollTarget,
  recorder: HistoryRecorder | null,
  now: () => Date = () => new Date(),
): Promise<TFrontendLive> {
  const started = now();
  const prev = getFrontendLive(target.id);
  let live: TFrontendLive;
  try {
    const balancer = await readBalancer(target);
    const at = now();
    const seconds = prev?.lastGoodAt ? (at.getTime() - prev.lastGoodAt.getTime()) / 1000 : 0;
    const before = prev?.stale === false ? liveMemberIndex(prev) : null;
    const members: TLiveMember[] = balancer.members.map((m) => ({
      ...m,
      rates: computeRates(before?.get(m.key), m, seconds),
    }));
    live = {
      frontendId: target.id,
      clusterId: target.clusterId,
      up: true,
      error: null,
      errorCode: null,
      lastPollAt: at,
      lastGoodAt: at,
      durationMs: at.getTime() - started.getTime(),
      members,
      stale: false,
      balancerRaw: balancer.raw,
    };
  } catch (err) {
    const at = now();
    // Shown to every viewer: an AppError's own (bounded) message, else a generic one with the log's id.
    const message = snippet(publicErrorMessage(err), MAX_MESSAGE_CHARS);
    const code = err instanceof AppError ? err.code : "INTERNAL";
    if (!(err instanceof AppError))
      logger.error({ err, errorId: errorIdOf(err), frontend: target.name }, "unexpected poll failure");
    live = {
      frontendId: target.id,
      clusterId: target.clusterId,
      up: false,
      error: message,
      errorCode: code,
      lastPollAt: at,
      lastGoodAt: prev?.lastGoodAt ?? null,
      durationMs: at.getTime() - started.getTime(),
      members: (prev?.members ?? []).map((m) => ({ ...m, rates: null })),
      stale: true,
      balancerRaw: prev?.balancerRaw ?? {},
    };
  }
  const changed = changedMembers(prev, live);
  setFrontendLive(live);
  recorder?.record(live);
  emitEvent("frontend-polled", { clusterId: target.clusterId, frontendId: target.id, up: live.up, changed });
  return live;
}

/**
 * Keys of the members whose state (not counters) differs between two polls, added and removed ones
 * included; null when everything must be looked at again: the first poll, or the frontend stopped or
 * started answering (every member's health and staleness changed with it).
 */
export function changedMembers(prev: TFrontendLive | undefined, next: TFrontendLive): string[] | null {
  if (!prev || prev.up !== next.up || prev.stale !== next.stale) return null;
  const before = liveMemberIndex(prev);
  const after = liveMemberIndex(next);
  const changed: string[] = [];
  for (const m of next.members) {
    const p = before.get(m.key);
    if (!p || !sameState(p, m)) changed.push(m.key);
  }
  if (after.size - changed.filter((k) => !before.has(k)).length !== before.size) {
    for (const key of before.keys()) if (!after.has(key)) changed.push(key);
  }
  return changed;
}

function sameState(a: TLiveMember, b: TLiveMember): boolean {
  return (
    a.adminState === b.adminState &&
    a.health === b.health &&
    a.loadfactor === b.loadfactor &&
    a.lbset === b.lbset &&
    a.route === b.route &&
    a.host === b.host &&
    a.port === b.port &&
    // A settings change or a hot spare is pushed at once like a state change (route and lbset are above).
    a.hotSpare === b.hotSpare &&
    a.settings?.redirect === b.settings?.redirect &&
    a.settings?.domain === b.settings?.domain &&
    a.settings?.distance === b.settings?.distance
  );
}
