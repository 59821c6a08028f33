import type { TEventName, TEvents } from "@/server/poller/event-bus";
import type { TFrontendLive } from "@/server/poller/live-state";
import type { TStoreNodeLive } from "@/server/store-poller/store-live-state";

/**
 * One event as it travels between instances: the bus event, and for a poll the owner's reading itself
 * (the others have no reading of their own to show). Readings carry Dates, which JSON turns into text:
 * only those two fields are dates, so they are revived by name rather than by guessing at every string.
 */
export type TFanoutMessage =
  | { from: string; name: "frontend-polled"; payload: TEvents["frontend-polled"]; live: TFrontendLive | null }
  | { from: string; name: "store-polled"; payload: TEvents["store-polled"]; live: TStoreNodeLive | null }
  | { from: string; name: Exclude<TEventName, "frontend-polled" | "store-polled">; payload: object; live?: undefined };

/** A message stored in FanoutMessage because it did not fit a NOTIFY payload. */
export interface TFanoutRef {
  from: string;
  ref: number;
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a little room is kept. */
export const MAX_NOTIFY_BYTES = 7_900;

export function encodeMessage(m: TFanoutMessage): string {
  return JSON.stringify(m);
}

export function decodeMessage(text: string): TFanoutMessage | TFanoutRef {
  const m = JSON.parse(text) as TFanoutMessage | TFanoutRef;
  if ("ref" in m) return m;
  if (m.live) {
    const live = m.live as { lastPollAt: Date | string | null; lastGoodAt: Date | string | null };
    live.lastPollAt = live.lastPollAt === null ? null : new Date(live.lastPollAt);
    live.lastGoodAt = live.lastGoodAt === null ? null : new Date(live.lastGoodAt);
  }
  return m;
}
