import { EventEmitter, on } from "node:events";
import { processSingleton } from "@/server/process-singleton";

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
interface TEvents {
  "frontend-polled": TFrontendPolledEvent;
  "inventory-changed": TInventoryChangedEvent;
  "store-polled": TStorePolledEvent;
  "intent-changed": TIntentChangedEvent;
  "rollout-changed": TRolloutChangedEvent;
  "operation-changed": TOperationChangedEvent;
}

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
