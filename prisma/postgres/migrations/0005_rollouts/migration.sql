
-- CreateTable
CREATE TABLE "Rollout" (
    "id" SERIAL NOT NULL,
    "cluster" TEXT NOT NULL,
    "activeCluster" TEXT,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "settings" TEXT NOT NULL,
    "request" TEXT,
    "startedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Rollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RolloutMember" (
    "id" SERIAL NOT NULL,
    "rolloutId" INTEGER NOT NULL,
    "member" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "phase" TEXT NOT NULL DEFAULT 'pending',
    "state" TEXT NOT NULL DEFAULT 'pending',
    "originalWeights" TEXT,
    "originalIntendedWeight" DOUBLE PRECISION,
    "message" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RolloutMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RolloutStep" (
    "id" SERIAL NOT NULL,
    "rolloutId" INTEGER NOT NULL,
    "member" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "message" TEXT,
    "result" TEXT,
    "samples" TEXT,
    "output" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "RolloutStep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Rollout_activeCluster_key" ON "Rollout"("activeCluster");

-- CreateIndex
CREATE INDEX "Rollout_cluster_id_idx" ON "Rollout"("cluster", "id");

-- CreateIndex
CREATE UNIQUE INDEX "RolloutMember_rolloutId_member_key" ON "RolloutMember"("rolloutId", "member");

-- CreateIndex
CREATE INDEX "RolloutStep_rolloutId_id_idx" ON "RolloutStep"("rolloutId", "id");

-- AddForeignKey
ALTER TABLE "RolloutMember" ADD CONSTRAINT "RolloutMember_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolloutStep" ADD CONSTRAINT "RolloutStep_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

