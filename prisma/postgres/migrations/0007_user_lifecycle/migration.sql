-- User lifecycle (password changed time, generated first-admin password), token expiry, sign-in throttling.
ALTER TABLE "User" ADD COLUMN "passwordChangedAt" TIMESTAMP(3);
ALTER TABLE "User" ADD COLUMN "passwordGenerated" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" TIMESTAMP(3);

CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL,
    "lockAuditedAt" TIMESTAMP(3),

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "UserSession_expiresAt_idx" ON "UserSession"("expiresAt");
