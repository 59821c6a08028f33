-- History per cluster member (frontends added up when written) instead of per frontend member:
-- a chart of a 1,000-member cluster reads one row per member per bucket, not one per frontend per poll.

-- CreateTable
CREATE TABLE "ClusterSample" (
    "id" SERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "route" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "resolution" INTEGER NOT NULL,
    "requestsPerSec" DOUBLE PRECISION NOT NULL,
    "errorsPerSec" DOUBLE PRECISION,
    "bytesPerSec" DOUBLE PRECISION NOT NULL,
    "busy" DOUBLE PRECISION NOT NULL,
    "healthyRatio" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "ClusterSample_pkey" PRIMARY KEY ("id")
);

-- The history kept so far comes along: each frontend's samples are averaged per bucket, then the
-- frontends are added up per member, as the charts did. Raw polls become 10-second buckets.
INSERT INTO "ClusterSample" ("clusterId", "route", "at", "resolution", "requestsPerSec", "errorsPerSec", "bytesPerSec", "busy", "healthyRatio")
SELECT "clusterId", "route", "bucket", "res", SUM("req"), SUM("err"), SUM("bytes"), SUM("busy"), AVG("healthy")
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
GROUP BY "clusterId", "route", "bucket", "res";

-- DropTable
DROP TABLE "MemberSample";

-- CreateIndex
CREATE INDEX "ClusterSample_clusterId_resolution_at_idx" ON "ClusterSample"("clusterId", "resolution", "at");

-- CreateIndex
CREATE INDEX "ClusterSample_clusterId_route_resolution_at_idx" ON "ClusterSample"("clusterId", "route", "resolution", "at");

-- CreateIndex
CREATE INDEX "ClusterSample_resolution_at_idx" ON "ClusterSample"("resolution", "at");

-- AddForeignKey
ALTER TABLE "ClusterSample" ADD CONSTRAINT "ClusterSample_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
