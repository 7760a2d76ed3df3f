-- AlterTable
ALTER TABLE "ProviderConnection" ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "shared" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "testMessage" TEXT,
ADD COLUMN     "testOk" BOOLEAN,
ADD COLUMN     "testedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "FineTuneJob" ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "deploymentError" TEXT,
ADD COLUMN     "deploymentId" TEXT,
ADD COLUMN     "deploymentState" TEXT,
ADD COLUMN     "epoch" DOUBLE PRECISION,
ADD COLUMN     "estimatedCostUsd" DOUBLE PRECISION,
ADD COLUMN     "finalCostUsd" DOUBLE PRECISION,
ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "lastPolledAt" TIMESTAMP(3),
ADD COLUMN     "launchJobId" TEXT,
ADD COLUMN     "launchKey" TEXT NOT NULL,
ADD COLUMN     "leaseUntil" TIMESTAMP(3),
ADD COLUMN     "method" TEXT NOT NULL DEFAULT 'sft',
ADD COLUMN     "name" TEXT NOT NULL,
ADD COLUMN     "nextPollAt" TIMESTAMP(3),
ADD COLUMN     "pollFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "progress" DOUBLE PRECISION,
ADD COLUMN     "providerState" TEXT,
ADD COLUMN     "resources" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "startedAt" TIMESTAMP(3),
ADD COLUMN     "statusMessage" TEXT,
ADD COLUMN     "trainExamples" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "trainTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "validationExamples" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "state" SET DEFAULT 'queued';

-- AlterTable
ALTER TABLE "ModelEndpoint" ADD COLUMN     "fineTuneJobId" TEXT;

-- CreateTable
CREATE TABLE "FineTuneEvent" (
    "id" TEXT NOT NULL,
    "fineTuneJobId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "state" TEXT,
    "message" TEXT NOT NULL,

    CONSTRAINT "FineTuneEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FineTuneEvent_fineTuneJobId_at_idx" ON "FineTuneEvent"("fineTuneJobId", "at");

-- CreateIndex
CREATE INDEX "FineTuneJob_state_nextPollAt_idx" ON "FineTuneJob"("state", "nextPollAt");

-- CreateIndex
CREATE UNIQUE INDEX "FineTuneJob_projectId_launchKey_key" ON "FineTuneJob"("projectId", "launchKey");

-- AddForeignKey
ALTER TABLE "FineTuneEvent" ADD CONSTRAINT "FineTuneEvent_fineTuneJobId_fkey" FOREIGN KEY ("fineTuneJobId") REFERENCES "FineTuneJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelEndpoint" ADD CONSTRAINT "ModelEndpoint_fineTuneJobId_fkey" FOREIGN KEY ("fineTuneJobId") REFERENCES "FineTuneJob"("id") ON DELETE SET NULL ON UPDATE CASCADE;

