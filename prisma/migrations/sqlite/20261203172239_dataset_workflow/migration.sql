-- CreateTable
CREATE TABLE "DatasetFinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "datasetVersionId" TEXT NOT NULL,
    "itemId" TEXT,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "message" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "reason" TEXT,
    "resolvedById" TEXT,
    "resolvedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DatasetFinding_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DatasetReview" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "datasetVersionId" TEXT NOT NULL,
    "userId" TEXT,
    "action" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DatasetReview_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DatasetVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "testFraction" REAL NOT NULL,
    "systemPrompt" TEXT NOT NULL,
    "approvalState" TEXT NOT NULL DEFAULT 'draft',
    "approvedById" TEXT,
    "approvedAt" DATETIME,
    "submittedById" TEXT,
    "submittedAt" DATETIME,
    "scan" TEXT NOT NULL DEFAULT '{}',
    "description" TEXT NOT NULL DEFAULT '',
    "validationFraction" REAL NOT NULL DEFAULT 0,
    "promptFormat" TEXT NOT NULL DEFAULT 'full',
    "userTemplate" TEXT NOT NULL DEFAULT '',
    "itemCount" INTEGER NOT NULL,
    "trainCount" INTEGER NOT NULL,
    "testCount" INTEGER NOT NULL,
    "validationCount" INTEGER NOT NULL DEFAULT 0,
    "heldOutCount" INTEGER NOT NULL DEFAULT 0,
    "schemaVersionId" TEXT,
    "sandboxId" TEXT,
    "variantSandboxIds" TEXT NOT NULL DEFAULT '[]',
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DatasetVersion_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DatasetVersion" ("approvalState", "approvedAt", "approvedById", "createdAt", "createdById", "id", "itemCount", "name", "projectId", "sandboxId", "scan", "seed", "systemPrompt", "testCount", "testFraction", "trainCount", "version") SELECT "approvalState", "approvedAt", "approvedById", "createdAt", "createdById", "id", "itemCount", "name", "projectId", "sandboxId", "scan", "seed", "systemPrompt", "testCount", "testFraction", "trainCount", "version" FROM "DatasetVersion";
DROP TABLE "DatasetVersion";
ALTER TABLE "new_DatasetVersion" RENAME TO "DatasetVersion";
CREATE UNIQUE INDEX "DatasetVersion_projectId_version_key" ON "DatasetVersion"("projectId", "version");
CREATE TABLE "new_DatasetItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "datasetVersionId" TEXT NOT NULL,
    "pairId" TEXT NOT NULL,
    "split" TEXT NOT NULL,
    "question" TEXT NOT NULL,
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
INSERT INTO "new_DatasetItem" ("complexity", "datasetVersionId", "id", "pairId", "question", "result", "shape", "split", "sql", "templateHash", "topLevelOrderBy") SELECT "complexity", "datasetVersionId", "id", "pairId", "question", "result", "shape", "split", "sql", "templateHash", "topLevelOrderBy" FROM "DatasetItem";
DROP TABLE "DatasetItem";
ALTER TABLE "new_DatasetItem" RENAME TO "DatasetItem";
CREATE INDEX "DatasetItem_datasetVersionId_split_idx" ON "DatasetItem"("datasetVersionId", "split");
CREATE UNIQUE INDEX "DatasetItem_datasetVersionId_pairId_key" ON "DatasetItem"("datasetVersionId", "pairId");
CREATE TABLE "new_DatasetExport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "datasetVersionId" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "part" TEXT NOT NULL DEFAULT 'all',
    "fileName" TEXT NOT NULL DEFAULT '',
    "lineCount" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DatasetExport_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DatasetExport" ("bytes", "createdAt", "createdById", "datasetVersionId", "format", "id", "lineCount", "sha256") SELECT "bytes", "createdAt", "createdById", "datasetVersionId", "format", "id", "lineCount", "sha256" FROM "DatasetExport";
DROP TABLE "DatasetExport";
ALTER TABLE "new_DatasetExport" RENAME TO "DatasetExport";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "DatasetFinding_datasetVersionId_status_idx" ON "DatasetFinding"("datasetVersionId", "status");

-- CreateIndex
CREATE INDEX "DatasetReview_datasetVersionId_createdAt_idx" ON "DatasetReview"("datasetVersionId", "createdAt");

