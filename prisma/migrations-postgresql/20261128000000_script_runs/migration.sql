-- CreateTable
CREATE TABLE "ScriptRun" (
    "id" SERIAL NOT NULL,
    "sessionId" TEXT NOT NULL,
    "step" INTEGER,
    "kind" TEXT NOT NULL,
    "host" TEXT NOT NULL DEFAULT 'host01',
    "exitCode" INTEGER,
    "timedOut" BOOLEAN NOT NULL DEFAULT false,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "stdout" TEXT NOT NULL DEFAULT '',
    "stderr" TEXT NOT NULL DEFAULT '',
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScriptRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ScriptRun_sessionId_id_idx" ON "ScriptRun"("sessionId", "id");

-- AddForeignKey
ALTER TABLE "ScriptRun" ADD CONSTRAINT "ScriptRun_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LabSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
