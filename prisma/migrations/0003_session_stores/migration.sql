-- CreateTable
CREATE TABLE "SessionStore" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "options" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "SessionStore_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StoreNode" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "storeId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    CONSTRAINT "StoreNode_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "SessionStore" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "SessionStore_clusterId_name_key" ON "SessionStore"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "StoreNode_storeId_name_key" ON "StoreNode"("storeId", "name");

