-- CreateTable
CREATE TABLE "AlertRuleSetting" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusterId" INTEGER NOT NULL,
    "rule" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "forSeconds" INTEGER NOT NULL,
    "threshold" REAL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT,
    CONSTRAINT "AlertRuleSetting_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "fingerprint" TEXT NOT NULL,
    "openFingerprint" TEXT,
    "rule" TEXT NOT NULL,
    "cluster" TEXT NOT NULL,
    "labels" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "activeSince" DATETIME NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME,
    "notifiedAt" DATETIME,
    "acknowledgedAt" DATETIME,
    "acknowledgedBy" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AlertSilence" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "matchers" TEXT NOT NULL,
    "cluster" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endsAt" DATETIME NOT NULL,
    "expiredAt" DATETIME,
    "expiredBy" TEXT
);

-- CreateTable
CREATE TABLE "NotificationReceiver" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "timeoutMs" INTEGER NOT NULL DEFAULT 5000,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "resendSeconds" INTEGER NOT NULL DEFAULT 60,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "receiverId" INTEGER NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "alertId" INTEGER,
    "fingerprint" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lastError" TEXT,
    "lastStatus" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "deliveredAt" DATETIME,
    CONSTRAINT "NotificationDelivery_receiverId_fkey" FOREIGN KEY ("receiverId") REFERENCES "NotificationReceiver" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

