import { processSingleton } from "@/server/process-singleton";

/** Bounds how many polls run at once, so a thousand frontends never open a thousand sockets together. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

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

/**
 * The process's poll semaphore: the frontend poller and the store poller share it, so together they never
 * open more than the limit of sockets. The first caller's limit (CLUSTERDECK_POLL_CONCURRENCY) sets it.
 */
export function sharedPollSemaphore(limit: number): Semaphore {
  return processSingleton("poll-semaphore", () => new Semaphore(limit));
}
