/**
 * One value per console process. Next.js may bundle a module more than once (the instrumentation bundle
 * that starts the poller, the route bundles that answer requests), and each copy would get its own
 * module-level variable: the poller would fill one live-state map and the API would read an empty other.
 * Values are therefore kept on globalThis under a registry symbol, which every bundle of the process shares.
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`clusterdeck.${name}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  return (store[key] ??= create());
}

/** A process-wide slot that is set later (the poller, once started). */
export interface TProcessSlot<T> {
  current: T | undefined;
}

export function processSlot<T>(name: string): TProcessSlot<T> {
  return processSingleton<TProcessSlot<T>>(name, () => ({ current: undefined }));
}
