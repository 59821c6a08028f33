-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Frontend" (
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
    "options" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "Frontend_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Frontend" ("balancer", "clusterId", "enabled", "id", "kind", "name", "password", "pollIntervalMs", "timeoutMs", "url", "username") SELECT "balancer", "clusterId", "enabled", "id", "kind", "name", "password", "pollIntervalMs", "timeoutMs", "url", "username" FROM "Frontend";
DROP TABLE "Frontend";
ALTER TABLE "new_Frontend" RENAME TO "Frontend";
CREATE UNIQUE INDEX "Frontend_clusterId_name_key" ON "Frontend"("clusterId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

