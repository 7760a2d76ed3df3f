-- DropIndex
DROP INDEX "EvalResult_evalRunId_itemId_key";

-- AlterTable
ALTER TABLE "DatasetItem" ADD COLUMN     "style" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "EvalRun" ADD COLUMN     "calls" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "concurrency" INTEGER NOT NULL DEFAULT 4,
ADD COLUMN     "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "label" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "maxRetries" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "repeats" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "timeoutMs" INTEGER NOT NULL DEFAULT 60000,
ADD COLUMN     "useCache" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "EvalResult" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "cached" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "completionTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "exactMatch" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "promptTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "repeat" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "responseText" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "similarity" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'scope',
ADD COLUMN     "templateMatch" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "EvalCache" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "latencyMs" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EvalCache_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegressionItem" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "addedFromRunId" TEXT,
    "addedById" TEXT,
    "note" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RegressionItem_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EvalCache_projectId_key_key" ON "EvalCache"("projectId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "RegressionItem_projectId_itemId_key" ON "RegressionItem"("projectId", "itemId");

-- CreateIndex
CREATE UNIQUE INDEX "EvalResult_evalRunId_itemId_repeat_key" ON "EvalResult"("evalRunId", "itemId", "repeat");

-- AddForeignKey
ALTER TABLE "EvalCache" ADD CONSTRAINT "EvalCache_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegressionItem" ADD CONSTRAINT "RegressionItem_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegressionItem" ADD CONSTRAINT "RegressionItem_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "DatasetItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Error classes of earlier runs, in the new vocabulary
UPDATE "EvalResult" SET "errorClass" = 'wrong_result' WHERE "errorClass" = 'mismatch';
UPDATE "EvalResult" SET "errorClass" = 'empty_result' WHERE "errorClass" = 'empty';
UPDATE "EvalResult" SET "errorClass" = 'unknown_table' WHERE "errorClass" = 'binder' AND "reason" LIKE '%Table with name%';
UPDATE "EvalResult" SET "errorClass" = 'unknown_column' WHERE "errorClass" = 'binder';
UPDATE "EvalResult" SET "errorClass" = 'runtime' WHERE "errorClass" IN ('memory', 'too_many_rows');
