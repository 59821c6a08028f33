/** Bounds how many polls run at once, so a thousand frontends never open a thousand sockets together. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

// One per console process (on globalThis: Next.js may load this module in several bundles): the frontend
// poller and the store poller share it, so together they never open more than the limit of sockets.
const g = globalThis as unknown as { __clusterdeckPollSemaphore?: Semaphore };

/** The process's poll semaphore; the first caller's limit (CLUSTERDECK_POLL_CONCURRENCY) sets it. */
export function sharedPollSemaphore(limit: number): Semaphore {
  g.__clusterdeckPollSemaphore ??= new Semaphore(limit);
  return g.__clusterdeckPollSemaphore;
}
