import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { PrismaClient } from "@/generated/prisma/client";
import { forEachMember, type TMemberValues } from "@/server/poller/history";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../prisma/migrations");
const folders = fs
  .readdirSync(MIGRATIONS)
  .filter((d) => fs.statSync(path.join(MIGRATIONS, d)).isDirectory())
  .sort();
const SAMPLES = "0010_cluster_samples";

describe("migration 0010: the per-frontend history comes along into per-cluster buckets (SQLite)", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("averages each frontend per bucket, adds frontends up per member, packs members per bucket", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusterdeck-migration-"));
    dirs.push(dir);
    const file = path.join(dir, "db.sqlite");
    const sqlite = new Database(file);
    const run = (folder: string) =>
      sqlite.exec(fs.readFileSync(path.join(MIGRATIONS, folder, "migration.sql"), "utf8"));
    for (const f of folders.filter((f) => f < SAMPLES)) run(f);

    sqlite.exec(`INSERT INTO "Cluster" ("id", "name", "updatedAt") VALUES (1, 'lab', '2026-11-22T00:00:00.000+00:00')`);
    sqlite.exec(`INSERT INTO "Frontend" ("id", "clusterId", "name", "kind", "url", "balancer") VALUES
      (1, 1, 'a', 'apache-balancer', 'http://a', 'b'), (2, 1, 'b', 'mod-jk', 'http://b', 'lb'), (3, 1, 'n', 'nginx', 'http://n', 'u')`);
    const insert = sqlite.prepare(`INSERT INTO "MemberSample"
      ("frontendId", "memberKey", "route", "at", "resolution", "requestsPerSec", "errorsPerSec", "bytesPerSec", "busy", "healthyRatio")
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // Raw polls 2 s apart in one 10-second bucket: a at 1 and 3 (mean 2), b at 4 with errors 1, nginx by key.
    insert.run(1, "http://t1", "tomcat1", "2026-11-22T11:59:40.000+00:00", 0, 1, null, 10, 0, 1);
    insert.run(1, "http://t1", "tomcat1", "2026-11-22T11:59:42.000+00:00", 0, 3, null, 10, 0, 1);
    insert.run(2, "tc1", "tomcat1", "2026-11-22T11:59:45.000+00:00", 0, 4, 1, 10, 1, 0);
    insert.run(3, "127.0.0.1:18082", "", "2026-11-22T11:59:41.000+00:00", 0, 5, null, 10, 0, 1);
    // A minute roll-up from earlier, on one frontend.
    insert.run(1, "http://t1", "tomcat1", "2026-11-22T10:00:00.000+00:00", 60, 7, null, 10, 2, 1);

    run(SAMPLES);
    expect(sqlite.prepare(`SELECT name FROM sqlite_master WHERE name = 'MemberSample'`).all()).toEqual([]);
    sqlite.close();

    const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
    try {
      const rows = await db.clusterSample.findMany({ orderBy: { at: "asc" } });
      expect(rows.map((r) => [r.resolution, r.at.toISOString()])).toEqual([
        [60, "2026-11-22T10:00:00.000Z"],
        [10, "2026-11-22T11:59:40.000Z"],
      ]);
      const members = new Map<string, TMemberValues>();
      forEachMember(rows[1]!.members, (route, v) => members.set(route, v));
      expect(members.get("tomcat1")).toEqual({
        requestsPerSec: 6,
        errorsPerSec: 1,
        bytesPerSec: 20,
        busy: 1,
        healthyRatio: 0.5,
      });
      expect(members.get("127.0.0.1:18082")?.requestsPerSec).toBe(5);
      expect(rows[1]).toMatchObject({ clusterId: 1, requestsPerSec: 11, errorsPerSec: 1, busy: 1 });
    } finally {
      await db.$disconnect();
    }
  });
});
