import os from "node:os";
import pg from "pg";
import type { THeldLeases, TLeaseStore } from "@/server/cluster-lease/lease-store";

/**
 * Prisma writes DateTime as UTC into `timestamp(3) without time zone`; the leases are compared with the
 * database's own clock in the same terms, whatever the session's TimeZone.
 */
const NOW = `(now() AT TIME ZONE 'UTC')`;
const LATER = `(${NOW} + $2::int * interval '1 millisecond')`;

/**
 * Leases as rows of "DutyLease", claimed with `INSERT … ON CONFLICT DO UPDATE … WHERE expired`: the row
 * lock makes one claimer win, and nothing else is needed (no home-made consensus). Its own small pool, so
 * a busy Prisma pool never delays a renewal.
 */
export class PgLeaseStore implements TLeaseStore {
  private readonly pool: pg.Pool;
  private beats = 0;

  constructor(connectionString: string) {
    this.pool = new pg.Pool({ connectionString, max: 2, application_name: "clusterdeck-leases" });
    // An idle client's error (the server restarted) must not crash the process: the next query reconnects.
    this.pool.on("error", () => undefined);
  }

  async heartbeat(instanceId: string, ttlMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO "ConsoleInstance" (id, host, pid, "startedAt", "heartbeatAt", "expiresAt")
       VALUES ($1, $3, $4, ${NOW}, ${NOW}, ${LATER})
       ON CONFLICT (id) DO UPDATE SET "heartbeatAt" = EXCLUDED."heartbeatAt", "expiresAt" = EXCLUDED."expiresAt"`,
      [instanceId, ttlMs, os.hostname(), process.pid],
    );
    // Instances that died without leaving keep their row; an hour later nobody needs it (each start has a new id).
    if (this.beats++ % 1_000 === 0)
      await this.pool.query(`DELETE FROM "ConsoleInstance" WHERE "expiresAt" < ${NOW} - interval '1 hour'`);
  }

  async liveInstances(): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "ConsoleInstance" WHERE "expiresAt" > ${NOW}`,
    );
    return r.rows[0]?.n ?? 0;
  }

  async renew(instanceId: string, ttlMs: number): Promise<THeldLeases> {
    const r = await this.pool.query<{ duty: string; token: number }>(
      `UPDATE "DutyLease" SET "expiresAt" = ${LATER} WHERE owner = $1 AND "expiresAt" > ${NOW} RETURNING duty, token`,
      [instanceId, ttlMs],
    );
    return new Map(r.rows.map((row) => [row.duty, row.token]));
  }

  async free(duties: readonly string[]): Promise<string[]> {
    const r = await this.pool.query<{ duty: string }>(
      `SELECT d AS duty FROM unnest($1::text[]) AS d
       WHERE NOT EXISTS (SELECT 1 FROM "DutyLease" l WHERE l.duty = d AND l."expiresAt" > ${NOW})`,
      [[...duties]],
    );
    return r.rows.map((row) => row.duty);
  }

  async acquire(instanceId: string, duties: readonly string[], ttlMs: number): Promise<THeldLeases> {
    if (duties.length === 0) return new Map();
    // Rows are locked in name order by every claimer, so two claims of overlapping sets cannot deadlock.
    const r = await this.pool.query<{ duty: string; token: number }>(
      `INSERT INTO "DutyLease" (duty, owner, token, "acquiredAt", "expiresAt")
       SELECT d, $1, 1, ${NOW}, ${LATER} FROM unnest($3::text[]) AS d ORDER BY d
       ON CONFLICT (duty) DO UPDATE SET owner = EXCLUDED.owner, token = "DutyLease".token + 1,
         "acquiredAt" = EXCLUDED."acquiredAt", "expiresAt" = EXCLUDED."expiresAt"
       WHERE "DutyLease"."expiresAt" <= ${NOW}
       RETURNING duty, token`,
      [instanceId, ttlMs, [...duties].sort()],
    );
    return new Map(r.rows.map((row) => [row.duty, row.token]));
  }

  async holds(instanceId: string, duty: string, token: number): Promise<boolean> {
    const r = await this.pool.query(
      `SELECT 1 FROM "DutyLease" WHERE duty = $1 AND owner = $2 AND token = $3 AND "expiresAt" > ${NOW}`,
      [duty, instanceId, token],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async release(instanceId: string, duties: readonly string[]): Promise<void> {
    if (duties.length === 0) return;
    await this.pool.query(
      `UPDATE "DutyLease" SET "expiresAt" = ${NOW} - interval '1 millisecond' WHERE owner = $1 AND duty = ANY($2::text[])`,
      [instanceId, [...duties]],
    );
  }

  async leave(instanceId: string): Promise<void> {
    await this.pool.query(
      `UPDATE "DutyLease" SET "expiresAt" = ${NOW} - interval '1 millisecond' WHERE owner = $1 AND "expiresAt" > ${NOW}`,
      [instanceId],
    );
    await this.pool.query(`DELETE FROM "ConsoleInstance" WHERE id = $1`, [instanceId]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
