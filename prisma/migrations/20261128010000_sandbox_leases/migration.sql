-- CreateTable
CREATE TABLE "SandboxLease" (
    "sessionId" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "engine" TEXT NOT NULL DEFAULT 'local',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "maxExpiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SandboxLease_expiresAt_idx" ON "SandboxLease"("expiresAt");
