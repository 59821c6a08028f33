-- History per cluster member (frontends added up when written) instead of per frontend member:
-- a chart of a 1,000-member cluster reads one row per member per bucket, not one per frontend per poll.

-- CreateTable
CREATE TABLE "ClusterSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" INTEGER NOT NULL,
    "route" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "resolution" INTEGER NOT NULL,
    "requestsPerSec" REAL NOT NULL,
    "errorsPerSec" REAL,
    "bytesPerSec" REAL NOT NULL,
    "busy" REAL NOT NULL,
    "healthyRatio" REAL NOT NULL,
    CONSTRAINT "ClusterSample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- The history kept so far comes along: each frontend's samples are averaged per bucket, then the
-- frontends are added up per member, as the charts did. Raw polls become 10-second buckets (Prisma
-- stores SQLite DateTime as 'YYYY-MM-DDTHH:MM:SS.mmm+00:00' text: the first 18 characters end in the
-- tens of seconds).
INSERT INTO "ClusterSample" ("clusterId", "route", "at", "resolution", "requestsPerSec", "errorsPerSec", "bytesPerSec", "busy", "healthyRatio")
SELECT "clusterId", "route", "bucket", "res", SUM("req"), SUM("err"), SUM("bytes"), SUM("busy"), AVG("healthy")
FROM (
    SELECT f."clusterId" AS "clusterId",
           CASE WHEN s."route" = '' THEN s."memberKey" ELSE s."route" END AS "route",
           CASE WHEN s."resolution" = 0 THEN substr(s."at", 1, 18) || '0.000+00:00' ELSE s."at" END AS "bucket",
           CASE WHEN s."resolution" = 0 THEN 10 ELSE s."resolution" END AS "res",
           s."frontendId",
           AVG(s."requestsPerSec") AS "req",
           AVG(s."errorsPerSec") AS "err",
           AVG(s."bytesPerSec") AS "bytes",
           AVG(s."busy") AS "busy",
           AVG(s."healthyRatio") AS "healthy"
    FROM "MemberSample" s JOIN "Frontend" f ON f."id" = s."frontendId"
    GROUP BY 1, 2, 3, 4, 5
)
GROUP BY "clusterId", "route", "bucket", "res";

-- DropTable
DROP TABLE "MemberSample";

-- CreateIndex
CREATE INDEX "ClusterSample_clusterId_resolution_at_idx" ON "ClusterSample"("clusterId", "resolution", "at");

-- CreateIndex
CREATE INDEX "ClusterSample_clusterId_route_resolution_at_idx" ON "ClusterSample"("clusterId", "route", "resolution", "at");

-- CreateIndex
CREATE INDEX "ClusterSample_resolution_at_idx" ON "ClusterSample"("resolution", "at");
