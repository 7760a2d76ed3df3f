-- CreateTable
CREATE TABLE "EvalCache" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "latencyMs" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EvalCache_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RegressionItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "addedFromRunId" TEXT,
    "addedById" TEXT,
    "note" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RegressionItem_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RegressionItem_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "DatasetItem" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DatasetItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "datasetVersionId" TEXT NOT NULL,
    "pairId" TEXT NOT NULL,
    "split" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "style" TEXT NOT NULL DEFAULT '',
    "sql" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "topLevelOrderBy" BOOLEAN NOT NULL DEFAULT false,
    "complexity" TEXT NOT NULL,
    "shape" TEXT NOT NULL,
    "templateHash" TEXT NOT NULL,
    "origin" TEXT NOT NULL DEFAULT 'template',
    "features" TEXT NOT NULL DEFAULT '{}',
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "redactedQuestion" TEXT,
    "systemPrompt" TEXT,
    CONSTRAINT "DatasetItem_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DatasetItem" ("complexity", "datasetVersionId", "excluded", "features", "id", "origin", "pairId", "question", "redactedQuestion", "result", "shape", "split", "sql", "systemPrompt", "templateHash", "topLevelOrderBy") SELECT "complexity", "datasetVersionId", "excluded", "features", "id", "origin", "pairId", "question", "redactedQuestion", "result", "shape", "split", "sql", "systemPrompt", "templateHash", "topLevelOrderBy" FROM "DatasetItem";
DROP TABLE "DatasetItem";
ALTER TABLE "new_DatasetItem" RENAME TO "DatasetItem";
CREATE INDEX "DatasetItem_datasetVersionId_split_idx" ON "DatasetItem"("datasetVersionId", "split");
CREATE UNIQUE INDEX "DatasetItem_datasetVersionId_pairId_key" ON "DatasetItem"("datasetVersionId", "pairId");
CREATE TABLE "new_EvalRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "compareSettings" TEXT NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "correct" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "accuracy" REAL,
    "suiteCorrect" INTEGER NOT NULL DEFAULT 0,
    "suiteSize" INTEGER NOT NULL DEFAULT 0,
    "label" TEXT NOT NULL DEFAULT '',
    "scope" TEXT NOT NULL DEFAULT '{}',
    "concurrency" INTEGER NOT NULL DEFAULT 4,
    "timeoutMs" INTEGER NOT NULL DEFAULT 60000,
    "maxRetries" INTEGER NOT NULL DEFAULT 3,
    "repeats" INTEGER NOT NULL DEFAULT 1,
    "useCache" BOOLEAN NOT NULL DEFAULT true,
    "calls" INTEGER NOT NULL DEFAULT 0,
    "costUsd" REAL NOT NULL DEFAULT 0,
    "error" TEXT,
    "jobId" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "EvalRun_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvalRun_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvalRun_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "ModelEndpoint" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_EvalRun" ("accuracy", "compareSettings", "correct", "createdAt", "createdById", "datasetVersionId", "done", "endpointId", "errors", "finishedAt", "id", "jobId", "projectId", "status", "suiteCorrect", "suiteSize", "total") SELECT "accuracy", "compareSettings", "correct", "createdAt", "createdById", "datasetVersionId", "done", "endpointId", "errors", "finishedAt", "id", "jobId", "projectId", "status", "suiteCorrect", "suiteSize", "total" FROM "EvalRun";
DROP TABLE "EvalRun";
ALTER TABLE "new_EvalRun" RENAME TO "EvalRun";
CREATE TABLE "new_EvalResult" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "evalRunId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "repeat" INTEGER NOT NULL DEFAULT 0,
    "source" TEXT NOT NULL DEFAULT 'scope',
    "predictedSql" TEXT NOT NULL,
    "responseText" TEXT NOT NULL DEFAULT '',
    "outcome" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "errorClass" TEXT,
    "predResult" TEXT,
    "latencyMs" INTEGER NOT NULL DEFAULT 0,
    "exactMatch" BOOLEAN NOT NULL DEFAULT false,
    "templateMatch" BOOLEAN NOT NULL DEFAULT false,
    "similarity" REAL NOT NULL DEFAULT 0,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" REAL NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cached" BOOLEAN NOT NULL DEFAULT false,
    "suiteMatch" BOOLEAN,
    "suiteSize" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EvalResult_evalRunId_fkey" FOREIGN KEY ("evalRunId") REFERENCES "EvalRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvalResult_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "DatasetItem" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_EvalResult" ("createdAt", "errorClass", "evalRunId", "id", "itemId", "latencyMs", "outcome", "predResult", "predictedSql", "reason", "suiteMatch", "suiteSize") SELECT "createdAt", "errorClass", "evalRunId", "id", "itemId", "latencyMs", "outcome", "predResult", "predictedSql", "reason", "suiteMatch", "suiteSize" FROM "EvalResult";
DROP TABLE "EvalResult";
ALTER TABLE "new_EvalResult" RENAME TO "EvalResult";
CREATE UNIQUE INDEX "EvalResult_evalRunId_itemId_repeat_key" ON "EvalResult"("evalRunId", "itemId", "repeat");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "EvalCache_projectId_key_key" ON "EvalCache"("projectId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "RegressionItem_projectId_itemId_key" ON "RegressionItem"("projectId", "itemId");


-- Error classes of earlier runs, in the new vocabulary
UPDATE "EvalResult" SET "errorClass" = 'wrong_result' WHERE "errorClass" = 'mismatch';
UPDATE "EvalResult" SET "errorClass" = 'empty_result' WHERE "errorClass" = 'empty';
UPDATE "EvalResult" SET "errorClass" = 'unknown_table' WHERE "errorClass" = 'binder' AND "reason" LIKE '%Table with name%';
UPDATE "EvalResult" SET "errorClass" = 'unknown_column' WHERE "errorClass" = 'binder';
UPDATE "EvalResult" SET "errorClass" = 'runtime' WHERE "errorClass" IN ('memory', 'too_many_rows');
