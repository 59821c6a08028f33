-- CreateTable
CREATE TABLE "Rollout" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "cluster" TEXT NOT NULL,
    "activeCluster" TEXT,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "settings" TEXT NOT NULL,
    "request" TEXT,
    "startedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "RolloutMember" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "rolloutId" INTEGER NOT NULL,
    "member" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "phase" TEXT NOT NULL DEFAULT 'pending',
    "state" TEXT NOT NULL DEFAULT 'pending',
    "originalWeights" TEXT,
    "originalIntendedWeight" REAL,
    "message" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "RolloutMember_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RolloutStep" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "rolloutId" INTEGER NOT NULL,
    "member" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "result" TEXT,
    "samples" TEXT,
    "output" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "RolloutStep_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Rollout_activeCluster_key" ON "Rollout"("activeCluster");

-- CreateIndex
CREATE INDEX "Rollout_cluster_id_idx" ON "Rollout"("cluster", "id");

-- CreateIndex
CREATE UNIQUE INDEX "RolloutMember_rolloutId_member_key" ON "RolloutMember"("rolloutId", "member");

-- CreateIndex
CREATE INDEX "RolloutStep_rolloutId_id_idx" ON "RolloutStep"("rolloutId", "id");

