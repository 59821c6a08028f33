import type { THeldLeases, TLeaseStore } from "@/server/cluster-lease/lease-store";

/**
 * The lease rules of pg-lease-store.ts (claim only what is expired, token + 1 per new owner, rows never
 * deleted) over a map and a clock the test moves, for the lease manager's unit tests. The SQL itself is
 * tested against the lab's PostgreSQL (server/cluster-lease/multi-instance.pg.int.test.ts).
 */
export class MemoryLeaseStore implements TLeaseStore {
  readonly rows = new Map<string, { owner: string; token: number; expiresAt: number }>();
  private readonly instances = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  async heartbeat(instanceId: string, ttlMs: number): Promise<void> {
    this.instances.set(instanceId, this.now() + ttlMs);
  }

  async liveInstances(): Promise<number> {
    return [...this.instances.values()].filter((t) => t > this.now()).length;
  }

  async renew(instanceId: string, ttlMs: number): Promise<THeldLeases> {
    const out: THeldLeases = new Map();
    for (const [duty, row] of this.rows)
      if (row.owner === instanceId && row.expiresAt > this.now()) {
        row.expiresAt = this.now() + ttlMs;
        out.set(duty, row.token);
      }
    return out;
  }

  async free(duties: readonly string[]): Promise<string[]> {
    return duties.filter((d) => (this.rows.get(d)?.expiresAt ?? 0) <= this.now());
  }

  async acquire(instanceId: string, duties: readonly string[], ttlMs: number): Promise<THeldLeases> {
    const out: THeldLeases = new Map();
    for (const duty of duties) {
      const row = this.rows.get(duty);
      if (row && row.expiresAt > this.now()) continue;
      const token = (row?.token ?? 0) + 1;
      this.rows.set(duty, { owner: instanceId, token, expiresAt: this.now() + ttlMs });
      out.set(duty, token);
    }
    return out;
  }

  async holds(instanceId: string, duty: string, token: number): Promise<boolean> {
    const row = this.rows.get(duty);
    return row?.owner === instanceId && row.token === token && row.expiresAt > this.now();
  }

  async release(instanceId: string, duties: readonly string[]): Promise<void> {
    for (const d of duties) {
      const row = this.rows.get(d);
      if (row?.owner === instanceId) row.expiresAt = this.now() - 1;
    }
  }

  async leave(instanceId: string): Promise<void> {
    for (const row of this.rows.values()) if (row.owner === instanceId) row.expiresAt = this.now() - 1;
    this.instances.delete(instanceId);
  }

  async close(): Promise<void> {}
}
