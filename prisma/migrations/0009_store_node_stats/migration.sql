-- CreateTable
CREATE TABLE "StoreNodePoll" (
    "storeNodeId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "up" BOOLEAN NOT NULL,
    "error" TEXT,
    "errorCode" TEXT,
    "lastPollAt" DATETIME NOT NULL,
    "lastGoodAt" DATETIME,
    "durationMs" INTEGER NOT NULL,
    "uptimeSeconds" INTEGER,
    "reading" TEXT,
    "restartedAt" DATETIME,
    "restart" TEXT,
    CONSTRAINT "StoreNodePoll_storeNodeId_fkey" FOREIGN KEY ("storeNodeId") REFERENCES "StoreNode" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StoreNodeSample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "storeNodeId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "resolution" INTEGER NOT NULL,
    "upRatio" REAL NOT NULL,
    "memoryUsedBytes" REAL,
    "memoryLimitBytes" REAL,
    "items" REAL NOT NULL,
    "sessions" REAL,
    "hitRatio" REAL,
    "evictionsPerSec" REAL,
    "connections" REAL,
    "opsPerSec" REAL,
    CONSTRAINT "StoreNodeSample_storeNodeId_fkey" FOREIGN KEY ("storeNodeId") REFERENCES "StoreNode" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SessionStore" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "options" TEXT NOT NULL DEFAULT '{}',
    "pollIntervalMs" INTEGER NOT NULL DEFAULT 10000,
    "timeoutMs" INTEGER NOT NULL DEFAULT 3000,
    CONSTRAINT "SessionStore_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_SessionStore" ("clusterId", "id", "kind", "name", "options") SELECT "clusterId", "id", "kind", "name", "options" FROM "SessionStore";
DROP TABLE "SessionStore";
ALTER TABLE "new_SessionStore" RENAME TO "SessionStore";
CREATE UNIQUE INDEX "SessionStore_clusterId_name_key" ON "SessionStore"("clusterId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "StoreNodeSample_storeNodeId_resolution_at_idx" ON "StoreNodeSample"("storeNodeId", "resolution", "at");

-- CreateIndex
CREATE INDEX "StoreNodeSample_resolution_at_idx" ON "StoreNodeSample"("resolution", "at");

