-- CreateTable
CREATE TABLE "SandboxLease" (
    "sessionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "engine" TEXT NOT NULL DEFAULT 'local',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "maxExpiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SandboxLease_pkey" PRIMARY KEY ("sessionId")
);

-- CreateIndex
CREATE INDEX "SandboxLease_expiresAt_idx" ON "SandboxLease"("expiresAt");
