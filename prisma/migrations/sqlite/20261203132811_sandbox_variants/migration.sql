-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Sandbox" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "schemaVersionId" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'primary',
    "variantOfId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'generating',
    "filePath" TEXT,
    "rowCounts" TEXT NOT NULL DEFAULT '{}',
    "settings" TEXT NOT NULL DEFAULT '{}',
    "bytes" INTEGER NOT NULL DEFAULT 0,
    "sha256" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readyAt" DATETIME,
    CONSTRAINT "Sandbox_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Sandbox_schemaVersionId_fkey" FOREIGN KEY ("schemaVersionId") REFERENCES "SchemaVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Sandbox" ("bytes", "createdAt", "error", "filePath", "id", "projectId", "readyAt", "role", "rowCounts", "schemaVersionId", "seed", "sha256", "status") SELECT "bytes", "createdAt", "error", "filePath", "id", "projectId", "readyAt", "role", "rowCounts", "schemaVersionId", "seed", "sha256", "status" FROM "Sandbox";
DROP TABLE "Sandbox";
ALTER TABLE "new_Sandbox" RENAME TO "Sandbox";
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
    "jobId" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "EvalRun_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvalRun_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvalRun_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "ModelEndpoint" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_EvalRun" ("accuracy", "compareSettings", "correct", "createdAt", "createdById", "datasetVersionId", "done", "endpointId", "errors", "finishedAt", "id", "jobId", "projectId", "status", "total") SELECT "accuracy", "compareSettings", "correct", "createdAt", "createdById", "datasetVersionId", "done", "endpointId", "errors", "finishedAt", "id", "jobId", "projectId", "status", "total" FROM "EvalRun";
DROP TABLE "EvalRun";
ALTER TABLE "new_EvalRun" RENAME TO "EvalRun";
CREATE TABLE "new_EvalResult" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "evalRunId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "predictedSql" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "errorClass" TEXT,
    "predResult" TEXT,
    "latencyMs" INTEGER NOT NULL DEFAULT 0,
    "suiteMatch" BOOLEAN,
    "suiteSize" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EvalResult_evalRunId_fkey" FOREIGN KEY ("evalRunId") REFERENCES "EvalRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "EvalResult_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "DatasetItem" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_EvalResult" ("createdAt", "errorClass", "evalRunId", "id", "itemId", "latencyMs", "outcome", "predResult", "predictedSql", "reason") SELECT "createdAt", "errorClass", "evalRunId", "id", "itemId", "latencyMs", "outcome", "predResult", "predictedSql", "reason" FROM "EvalResult";
DROP TABLE "EvalResult";
ALTER TABLE "new_EvalResult" RENAME TO "EvalResult";
CREATE UNIQUE INDEX "EvalResult_evalRunId_itemId_key" ON "EvalResult"("evalRunId", "itemId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

