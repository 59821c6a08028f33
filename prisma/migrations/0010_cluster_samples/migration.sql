-- History per cluster, one row per bucket with every member's values packed as JSON (frontends added up
-- when written) instead of one row per frontend member per poll: a 2-second poll of 1,000 members
-- writes nothing, a 10-second bucket one row, and a 15-minute chart reads 90 rows.

-- CreateTable
CREATE TABLE "ClusterSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "resolution" INTEGER NOT NULL,
    "members" TEXT NOT NULL,
    "requestsPerSec" REAL NOT NULL,
    "errorsPerSec" REAL,
    "bytesPerSec" REAL NOT NULL,
    "busy" REAL NOT NULL,
    CONSTRAINT "ClusterSample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- The history kept so far comes along: each frontend's samples are averaged per bucket, the frontends
-- added up per member, and the members of a bucket packed into one row (every json_group_array of a
-- group sees its rows in the same order, so the arrays line up). Raw polls become 10-second buckets:
-- Prisma stores SQLite DateTime as 'YYYY-MM-DDTHH:MM:SS.mmm+00:00' text, whose first 18 characters
-- end in the tens of seconds.
INSERT INTO "ClusterSample" ("clusterId", "at", "resolution", "members", "requestsPerSec", "errorsPerSec", "bytesPerSec", "busy")
SELECT "clusterId", "bucket", "res",
       json_object(
           'routes', json_group_array("route"),
           'requestsPerSec', json_group_array("req"),
           'errorsPerSec', json_group_array("err"),
           'bytesPerSec', json_group_array("bytes"),
           'busy', json_group_array("busy"),
           'healthyRatio', json_group_array("healthy")
       ),
       SUM("req"), SUM("err"), SUM("bytes"), SUM("busy")
FROM (
    SELECT "clusterId", "route", "bucket", "res",
           SUM("req") AS "req", SUM("err") AS "err", SUM("bytes") AS "bytes", SUM("busy") AS "busy",
           AVG("healthy") AS "healthy"
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
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 3, 4, 2
)
GROUP BY "clusterId", "bucket", "res";

-- DropTable
DROP TABLE "MemberSample";

-- CreateIndex
CREATE INDEX "ClusterSample_resolution_at_idx" ON "ClusterSample"("resolution", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ClusterSample_clusterId_resolution_at_key" ON "ClusterSample"("clusterId", "resolution", "at");
