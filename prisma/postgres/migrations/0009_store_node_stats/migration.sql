
-- AlterTable
ALTER TABLE "SessionStore" ADD COLUMN     "pollIntervalMs" INTEGER NOT NULL DEFAULT 10000,
ADD COLUMN     "timeoutMs" INTEGER NOT NULL DEFAULT 3000;

-- CreateTable
CREATE TABLE "StoreNodePoll" (
    "storeNodeId" INTEGER NOT NULL,
    "up" BOOLEAN NOT NULL,
    "error" TEXT,
    "errorCode" TEXT,
    "lastPollAt" TIMESTAMP(3) NOT NULL,
    "lastGoodAt" TIMESTAMP(3),
    "durationMs" INTEGER NOT NULL,
    "uptimeSeconds" INTEGER,
    "reading" TEXT,
    "restartedAt" TIMESTAMP(3),
    "restart" TEXT,

    CONSTRAINT "StoreNodePoll_pkey" PRIMARY KEY ("storeNodeId")
);

-- CreateTable
CREATE TABLE "StoreNodeSample" (
    "id" SERIAL NOT NULL,
    "storeNodeId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "resolution" INTEGER NOT NULL,
    "upRatio" DOUBLE PRECISION NOT NULL,
    "memoryUsedBytes" DOUBLE PRECISION,
    "memoryLimitBytes" DOUBLE PRECISION,
    "items" DOUBLE PRECISION NOT NULL,
    "sessions" DOUBLE PRECISION,
    "hitRatio" DOUBLE PRECISION,
    "evictionsPerSec" DOUBLE PRECISION,
    "connections" DOUBLE PRECISION,
    "opsPerSec" DOUBLE PRECISION,

    CONSTRAINT "StoreNodeSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StoreNodeSample_storeNodeId_resolution_at_idx" ON "StoreNodeSample"("storeNodeId", "resolution", "at");

-- CreateIndex
CREATE INDEX "StoreNodeSample_resolution_at_idx" ON "StoreNodeSample"("resolution", "at");

-- AddForeignKey
ALTER TABLE "StoreNodePoll" ADD CONSTRAINT "StoreNodePoll_storeNodeId_fkey" FOREIGN KEY ("storeNodeId") REFERENCES "StoreNode"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StoreNodeSample" ADD CONSTRAINT "StoreNodeSample_storeNodeId_fkey" FOREIGN KEY ("storeNodeId") REFERENCES "StoreNode"("id") ON DELETE CASCADE ON UPDATE CASCADE;

