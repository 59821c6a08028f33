-- CreateTable
CREATE TABLE "AlertRuleSetting" (
    "id" SERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "rule" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "forSeconds" INTEGER NOT NULL,
    "threshold" DOUBLE PRECISION,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "AlertRuleSetting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" SERIAL NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "openFingerprint" TEXT,
    "rule" TEXT NOT NULL,
    "cluster" TEXT NOT NULL,
    "labels" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "activeSince" TIMESTAMP(3) NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3),
    "notifiedAt" TIMESTAMP(3),
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedBy" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertSilence" (
    "id" SERIAL NOT NULL,
    "matchers" TEXT NOT NULL,
    "cluster" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "expiredAt" TIMESTAMP(3),
    "expiredBy" TEXT,

    CONSTRAINT "AlertSilence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationReceiver" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "timeoutMs" INTEGER NOT NULL DEFAULT 5000,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "resendSeconds" INTEGER NOT NULL DEFAULT 60,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationReceiver_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" SERIAL NOT NULL,
    "receiverId" INTEGER NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "alertId" INTEGER,
    "fingerprint" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "lastError" TEXT,
    "lastStatus" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertRuleSetting_clusterId_rule_key" ON "AlertRuleSetting"("clusterId", "rule");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_openFingerprint_key" ON "Alert"("openFingerprint");

-- CreateIndex
CREATE INDEX "Alert_state_id_idx" ON "Alert"("state", "id");

-- CreateIndex
CREATE INDEX "Alert_cluster_id_idx" ON "Alert"("cluster", "id");

-- CreateIndex
CREATE INDEX "Alert_fingerprint_id_idx" ON "Alert"("fingerprint", "id");

-- CreateIndex
CREATE INDEX "AlertSilence_endsAt_idx" ON "AlertSilence"("endsAt");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationReceiver_name_key" ON "NotificationReceiver"("name");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_dedupeKey_key" ON "NotificationDelivery"("dedupeKey");

-- CreateIndex
CREATE INDEX "NotificationDelivery_state_nextAttemptAt_idx" ON "NotificationDelivery"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_receiverId_id_idx" ON "NotificationDelivery"("receiverId", "id");

-- AddForeignKey
ALTER TABLE "AlertRuleSetting" ADD CONSTRAINT "AlertRuleSetting_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_receiverId_fkey" FOREIGN KEY ("receiverId") REFERENCES "NotificationReceiver"("id") ON DELETE CASCADE ON UPDATE CASCADE;

