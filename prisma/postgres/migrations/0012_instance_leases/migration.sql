-- CreateTable
CREATE TABLE "ConsoleInstance" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsoleInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DutyLease" (
    "duty" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "token" INTEGER NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DutyLease_pkey" PRIMARY KEY ("duty")
);

-- CreateTable
CREATE TABLE "FanoutMessage" (
    "id" SERIAL NOT NULL,
    "sender" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FanoutMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConsoleInstance_expiresAt_idx" ON "ConsoleInstance"("expiresAt");

-- CreateIndex
CREATE INDEX "DutyLease_owner_idx" ON "DutyLease"("owner");

-- CreateIndex
CREATE INDEX "FanoutMessage_createdAt_idx" ON "FanoutMessage"("createdAt");
