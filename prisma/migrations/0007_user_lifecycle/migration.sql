-- User lifecycle (password changed time, generated first-admin password), token expiry, sign-in throttling.
ALTER TABLE "User" ADD COLUMN "passwordChangedAt" DATETIME;
ALTER TABLE "User" ADD COLUMN "passwordGenerated" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" DATETIME;

CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "windowStart" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL,
    "lockAuditedAt" DATETIME
);

CREATE INDEX "UserSession_expiresAt_idx" ON "UserSession"("expiresAt");
