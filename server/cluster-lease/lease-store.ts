/** A held lease: the duty and its fencing token. */
export type THeldLeases = Map<string, number>;

/**
 * What the lease manager asks of the database (PostgreSQL: pg-lease-store.ts; tests: an in-memory one).
 * Every expiry is judged by the database's clock, so instances whose clocks differ still agree.
 */
export interface TLeaseStore {
  /** Records that the instance is alive for ttlMs more. */
  heartbeat(instanceId: string, ttlMs: number): Promise<void>;
  /** Instances whose heartbeat has not expired. */
  liveInstances(): Promise<number>;
  /** Extends the instance's unexpired leases by ttlMs; returns the ones it still holds. */
  renew(instanceId: string, ttlMs: number): Promise<THeldLeases>;
  /** Of these duties, the ones no one holds (never claimed, expired or released). */
  free(duties: readonly string[]): Promise<string[]>;
  /** Claims each duty that is free at that moment (a new owner: token + 1); returns the ones won. */
  acquire(instanceId: string, duties: readonly string[], ttlMs: number): Promise<THeldLeases>;
  /** True while the duty's row names this instance with this token and has not expired (a fencing check). */
  holds(instanceId: string, duty: string, token: number): Promise<boolean>;
  /** Gives duties up at once (they are free for the others' next round). */
  release(instanceId: string, duties: readonly string[]): Promise<void>;
  /** Gives up everything and removes the heartbeat (a clean stop). */
  leave(instanceId: string): Promise<void>;
  close(): Promise<void>;
}
