import { EventEmitter, on } from "node:events";
import { processSingleton } from "@/server/process-singleton";
import type { TSharedStoreIndex } from "@/server/services/sessions/session-index/shared-index";
import type { TOwnerQuestion } from "@/server/fanout/owner-questions";

export interface TFrontendPolledEvent {
  clusterId: number;
  frontendId: number;
  up: boolean;
  /**
   * Keys of the members whose state changed in this poll (empty: only counters moved); null when
   * every member must be looked at again (first poll, the frontend stopped or started answering).
   */
  changed: string[] | null;
}
export interface TStorePolledEvent {
  clusterId: number;
  storeId: number;
  storeNodeId: number;
  up: boolean;
}
export interface TInventoryChangedEvent {
  clusterId: number | null;
}
/** A member's intended state or weight was recorded (an action, a rollout step): drift is judged anew. */
export interface TIntentChangedEvent {
  clusterId: number;
}
/** A rollout was started or changed state (running, paused, done, aborted). */
export interface TRolloutChangedEvent {
  id: number;
  cluster: string;
  state: string;
  message: string | null;
}
/** An operation (evacuate, replace, expire) was created or changed state (pending, running, done, failed). */
export interface TOperationChangedEvent {
  id: number;
  cluster: string;
  kind: string;
  target: string;
  state: string;
  message: string | null;
}
/**
 * Someone asked for a poll now (after an action) on an instance that does not own the target: its owner,
 * told through the fan-out, polls it.
 */
export interface TPollRequestedEvent {
  kind: "frontend" | "store-node";
  id: number;
}
/** Alert rule settings (of one cluster, or null for silences) changed on some instance. */
export interface TAlertConfigChangedEvent {
  clusterId: number | null;
}
/**
 * Someone looked at a cluster's session counts on an instance that does not keep the cluster's session
 * index: the keeper keeps its stores scanned for the demand window, as if the viewer were its own.
 */
export interface TSessionsViewedEvent {
  cluster: string;
}
/** A store's scan finished on the keeper of its cluster's index: its counts, for the instances answering from them. */
export interface TStoreIndexedEvent {
  cluster: string;
  storeId: number;
  index: TSharedStoreIndex;
}
/** A question only the owner of a duty can answer, asked by another instance (server/fanout/ask-owner.ts). */
export interface TOwnerAskedEvent {
  requestId: string;
  /** The asking instance. */
  from: string;
  duty: string;
  question: TOwnerQuestion;
}
/** The owner's answer (superjson text, so dates stay dates), or the error it met. */
export interface TOwnerAnsweredEvent {
  requestId: string;
  /** The asking instance (the others ignore the answer). */
  to: string;
  /** The answering instance. */
  by: string;
  answer: string | null;
  error: { code: string; message: string } | null;
}
export interface TEvents {
  "frontend-polled": TFrontendPolledEvent;
  "inventory-changed": TInventoryChangedEvent;
  "store-polled": TStorePolledEvent;
  "intent-changed": TIntentChangedEvent;
  "rollout-changed": TRolloutChangedEvent;
  "operation-changed": TOperationChangedEvent;
  "poll-requested": TPollRequestedEvent;
  "alert-config-changed": TAlertConfigChangedEvent;
  "sessions-viewed": TSessionsViewedEvent;
  "store-indexed": TStoreIndexedEvent;
  "owner-asked": TOwnerAskedEvent;
  "owner-answered": TOwnerAnsweredEvent;
}
export type TEventName = keyof TEvents;

// One bus per process: the poller (instrumentation bundle) and the SSE subscriptions (route bundles)
// must meet on the same emitter.
function bus(): EventEmitter {
  return processSingleton("event-bus", () => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0); // one listener per open browser tab
    return emitter;
  });
}

export function emitEvent<K extends keyof TEvents>(name: K, payload: TEvents[K]): void {
  bus().emit(name, payload);
}

/** Payloads that came from another instance (server/fanout): never sent out again. */
const remote = () => processSingleton("event-bus-remote", () => new WeakSet<object>());

/** Emits an event received from another console instance, marked so the fan-out does not send it back. */
export function emitRemoteEvent<K extends keyof TEvents>(name: K, payload: TEvents[K]): void {
  remote().add(payload);
  bus().emit(name, payload);
}

/** True for a payload another instance published (this instance only relays it to its listeners). */
export function isRemoteEvent(payload: object): boolean {
  return remote().has(payload);
}

/** Calls `listener` for each event of one kind until the returned function is called. */
export function onEvent<K extends keyof TEvents>(name: K, listener: (payload: TEvents[K]) => void): () => void {
  bus().on(name, listener);
  return () => bus().off(name, listener);
}

/** Async iterator over one event kind, ended by the signal (the SSE connection closing). */
export async function* listenEvents<K extends keyof TEvents>(
  name: K,
  signal: AbortSignal | undefined,
): AsyncGenerator<TEvents[K]> {
  try {
    for await (const [payload] of on(bus(), name, { signal })) yield payload as TEvents[K];
  } catch (err) {
    if ((err as { name?: string }).name !== "AbortError") throw err;
  }
}
