-- CreateTable
CREATE TABLE "Cluster" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Member" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "httpPort" INTEGER,
    "ajpPort" INTEGER,
    CONSTRAINT "Member_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Frontend" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    CONSTRAINT "Frontend_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FrontendPoll" (
    "frontendId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "up" BOOLEAN NOT NULL,
    "error" TEXT,
    "errorCode" TEXT,
    "lastPollAt" DATETIME NOT NULL,
    "lastGoodAt" DATETIME,
    "durationMs" INTEGER NOT NULL,
    CONSTRAINT "FrontendPoll_frontendId_fkey" FOREIGN KEY ("frontendId") REFERENCES "Frontend" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MemberSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "frontendId" INTEGER NOT NULL,
    "memberKey" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "resolution" INTEGER NOT NULL,
    "requestsPerSec" REAL NOT NULL,
    "errorsPerSec" REAL,
    "bytesPerSec" REAL NOT NULL,
    "busy" REAL NOT NULL,
    "healthyRatio" REAL NOT NULL,
    CONSTRAINT "MemberSample_frontendId_fkey" FOREIGN KEY ("frontendId") REFERENCES "Frontend" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

