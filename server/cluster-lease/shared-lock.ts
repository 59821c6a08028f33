import type pg from "pg";
import { processSlot } from "@/server/process-singleton";

/** Runs `fn` while holding the named lock against every instance sharing the database. */
export type TSharedLock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

const slot = processSlot<TSharedLock>("shared-lock");

/**
 * Mutual exclusion across console instances for short edits that must not interleave (one nginx include
 * file: "nginx-include:<path>"). One instance (SQLite): nothing to exclude beyond the caller's own
 * in-process serialization, so `fn` just runs.
 */
export function withSharedLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = slot.current;
  return lock ? lock(name, fn) : fn();
}

export function setSharedLock(lock: TSharedLock | undefined): void {
  slot.current = lock;
}

/**
 * PostgreSQL's session advisory lock on a hash of the name, held on one pooled connection for the
 * duration of `fn`. If the instance dies meanwhile its connection closes and PostgreSQL releases the lock.
 */
export function pgSharedLock(pool: Pick<pg.Pool, "connect">): TSharedLock {
  return async (name, fn) => {
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [name]);
      try {
        return await fn();
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [name]);
      }
    } finally {
      client.release();
    }
  };
}
