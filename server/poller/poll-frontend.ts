import type { TDb } from "@/server/db";
import { readBalancer, type TFrontendRow } from "@/server/services/frontends/read-frontend";
import { AppError } from "@/server/errors";
import {
  computeRates,
  getFrontendLive,
  setFrontendLive,
  type TFrontendLive,
  type TLiveMember,
} from "@/server/poller/live-state";
import { recordSamples } from "@/server/poller/history";
import { emitEvent } from "@/server/poller/event-bus";
import { logger } from "@/server/logger";

export interface TPollTarget extends TFrontendRow {
  id: number;
  clusterId: number;
  name: string;
}

/**
 * Polls one frontend once and records the outcome, success or failure, as data: in the live table,
 * in FrontendPoll, and as history samples. Never throws (docs/conventions.md §8).
 */
export async function pollFrontend(
  db: TDb,
  target: TPollTarget,
  now: () => Date = () => new Date(),
): Promise<TFrontendLive> {
  const started = now();
  const prev = getFrontendLive(target.id);
  let live: TFrontendLive;
  try {
    const balancer = await readBalancer(target);
    const at = now();
    const seconds = prev?.lastGoodAt ? (at.getTime() - prev.lastGoodAt.getTime()) / 1000 : 0;
    const prevByKey = new Map((prev?.stale === false ? prev.members : []).map((m) => [m.key, m]));
    const members: TLiveMember[] = balancer.members.map((m) => ({
      ...m,
      rates: computeRates(prevByKey.get(m.key), m, seconds),
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
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof AppError ? err.code : "INTERNAL";
    if (!(err instanceof AppError)) logger.error({ err, frontend: target.name }, "unexpected poll failure");
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
  setFrontendLive(live);
  try {
    await persistPoll(db, live);
  } catch (err) {
    // The frontend may have been deleted while we polled it; the live reading is still worth showing.
    logger.warn({ err: String(err), frontend: target.name }, "could not record poll");
  }
  emitEvent("frontend-polled", { clusterId: target.clusterId, frontendId: target.id, up: live.up });
  return live;
}

async function persistPoll(db: TDb, live: TFrontendLive): Promise<void> {
  const data = {
    up: live.up,
    error: live.error,
    errorCode: live.errorCode,
    lastPollAt: live.lastPollAt ?? new Date(),
    lastGoodAt: live.lastGoodAt,
    durationMs: live.durationMs,
  };
  await db.frontendPoll.upsert({
    where: { frontendId: live.frontendId },
    create: { frontendId: live.frontendId, ...data },
    update: data,
  });
  if (live.up && live.lastPollAt) await recordSamples(db, live.frontendId, live.lastPollAt, live.members);
}
