-- History per cluster, one row per bucket with every member's values packed as JSON (frontends added up
-- when written) instead of one row per frontend member per poll: a 2-second poll of 1,000 members
-- writes nothing, a 10-second bucket one row, and a 15-minute chart reads 90 rows.

-- CreateTable
CREATE TABLE "ClusterSample" (
    "id" SERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "resolution" INTEGER NOT NULL,
    "members" TEXT NOT NULL,
    "requestsPerSec" DOUBLE PRECISION NOT NULL,
    "errorsPerSec" DOUBLE PRECISION,
    "bytesPerSec" DOUBLE PRECISION NOT NULL,
    "busy" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "ClusterSample_pkey" PRIMARY KEY ("id")
);

-- The history kept so far comes along: each frontend's samples are averaged per bucket, the frontends
-- added up per member, and the members of a bucket packed into one row (every aggregate ordered by
-- route, so the arrays line up). Raw polls become 10-second buckets.
INSERT INTO "ClusterSample" ("clusterId", "at", "resolution", "members", "requestsPerSec", "errorsPerSec", "bytesPerSec", "busy")
SELECT "clusterId", "bucket", "res",
       json_build_object(
           'routes', json_agg("route" ORDER BY "route"),
           'requestsPerSec', json_agg("req" ORDER BY "route"),
           'errorsPerSec', json_agg("err" ORDER BY "route"),
           'bytesPerSec', json_agg("bytes" ORDER BY "route"),
           'busy', json_agg("busy" ORDER BY "route"),
           'healthyRatio', json_agg("healthy" ORDER BY "route")
       )::text,
       SUM("req"), SUM("err"), SUM("bytes"), SUM("busy")
FROM (
    SELECT "clusterId", "route", "bucket", "res",
           SUM("req") AS "req", SUM("err") AS "err", SUM("bytes") AS "bytes", SUM("busy") AS "busy",
           AVG("healthy") AS "healthy"
    FROM (
        SELECT f."clusterId" AS "clusterId",
               CASE WHEN s."route" = '' THEN s."memberKey" ELSE s."route" END AS "route",
               CASE WHEN s."resolution" = 0
                    THEN to_timestamp(floor(extract(epoch FROM s."at") / 10) * 10) AT TIME ZONE 'UTC'
                    ELSE s."at" END AS "bucket",
               CASE WHEN s."resolution" = 0 THEN 10 ELSE s."resolution" END AS "res",
               s."frontendId",
               AVG(s."requestsPerSec") AS "req",
               AVG(s."errorsPerSec") AS "err",
               AVG(s."bytesPerSec") AS "bytes",
               AVG(s."busy") AS "busy",
               AVG(s."healthyRatio") AS "healthy"
        FROM "MemberSample" s JOIN "Frontend" f ON f."id" = s."frontendId"
        GROUP BY 1, 2, 3, 4, 5
    ) per_frontend
    GROUP BY 1, 2, 3, 4
) per_member
GROUP BY "clusterId", "bucket", "res";

-- DropTable
DROP TABLE "MemberSample";

-- CreateIndex
CREATE INDEX "ClusterSample_resolution_at_idx" ON "ClusterSample"("resolution", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ClusterSample_clusterId_resolution_at_key" ON "ClusterSample"("clusterId", "resolution", "at");

-- AddForeignKey
ALTER TABLE "ClusterSample" ADD CONSTRAINT "ClusterSample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
