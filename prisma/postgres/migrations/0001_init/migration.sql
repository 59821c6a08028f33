-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Cluster" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" SERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "httpPort" INTEGER,
    "ajpPort" INTEGER,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Frontend" (
    "id" SERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "balancer" TEXT NOT NULL,
    "username" TEXT,
    "password" TEXT,
    "pollIntervalMs" INTEGER NOT NULL DEFAULT 2000,
    "timeoutMs" INTEGER NOT NULL DEFAULT 1500,
    "enabled" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "Frontend_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FrontendPoll" (
    "frontendId" INTEGER NOT NULL,
    "up" BOOLEAN NOT NULL,
    "error" TEXT,
    "errorCode" TEXT,
    "lastPollAt" TIMESTAMP(3) NOT NULL,
    "lastGoodAt" TIMESTAMP(3),
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "FrontendPoll_pkey" PRIMARY KEY ("frontendId")
);

-- CreateTable
CREATE TABLE "MemberSample" (
    "id" SERIAL NOT NULL,
    "frontendId" INTEGER NOT NULL,
    "memberKey" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "resolution" INTEGER NOT NULL,
    "requestsPerSec" DOUBLE PRECISION NOT NULL,
    "errorsPerSec" DOUBLE PRECISION,
    "bytesPerSec" DOUBLE PRECISION NOT NULL,
    "busy" DOUBLE PRECISION NOT NULL,
    "healthyRatio" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "MemberSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Member_clusterId_name_key" ON "Member"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Frontend_clusterId_name_key" ON "Frontend"("clusterId", "name");

-- CreateIndex
CREATE INDEX "MemberSample_frontendId_resolution_at_idx" ON "MemberSample"("frontendId", "resolution", "at");

-- CreateIndex
CREATE INDEX "MemberSample_resolution_at_idx" ON "MemberSample"("resolution", "at");

-- AddForeignKey
ALTER TABLE "Member" ADD CONSTRAINT "Member_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Frontend" ADD CONSTRAINT "Frontend_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FrontendPoll" ADD CONSTRAINT "FrontendPoll_frontendId_fkey" FOREIGN KEY ("frontendId") REFERENCES "Frontend"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemberSample" ADD CONSTRAINT "MemberSample_frontendId_fkey" FOREIGN KEY ("frontendId") REFERENCES "Frontend"("id") ON DELETE CASCADE ON UPDATE CASCADE;

