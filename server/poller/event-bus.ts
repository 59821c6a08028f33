import { EventEmitter, on } from "node:events";
import { processSingleton } from "@/server/process-singleton";

export interface TFrontendPolledEvent {
  clusterId: number;
  frontendId: number;
  up: boolean;
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
interface TEvents {
  "frontend-polled": TFrontendPolledEvent;
  "inventory-changed": TInventoryChangedEvent;
  "store-polled": TStorePolledEvent;
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
