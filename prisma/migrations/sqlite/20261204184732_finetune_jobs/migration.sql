-- CreateTable
CREATE TABLE "FineTuneEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fineTuneJobId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "state" TEXT,
    "message" TEXT NOT NULL,
    CONSTRAINT "FineTuneEvent_fineTuneJobId_fkey" FOREIGN KEY ("fineTuneJobId") REFERENCES "FineTuneJob" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ProviderConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "baseUrl" TEXT,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "secretCipher" TEXT,
    "secretKeyId" TEXT,
    "secretHint" TEXT,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "testedAt" DATETIME,
    "testOk" BOOLEAN,
    "testMessage" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ProviderConnection_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ProviderConnection" ("baseUrl", "createdAt", "id", "kind", "name", "projectId", "secretCipher", "secretHint", "secretKeyId", "settings", "updatedAt") SELECT "baseUrl", "createdAt", "id", "kind", "name", "projectId", "secretCipher", "secretHint", "secretKeyId", "settings", "updatedAt" FROM "ProviderConnection";
DROP TABLE "ProviderConnection";
ALTER TABLE "new_ProviderConnection" RENAME TO "ProviderConnection";
CREATE UNIQUE INDEX "ProviderConnection_projectId_name_key" ON "ProviderConnection"("projectId", "name");
CREATE TABLE "new_FineTuneJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "connectionId" TEXT,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "method" TEXT NOT NULL DEFAULT 'sft',
    "baseModel" TEXT NOT NULL,
    "launchKey" TEXT NOT NULL,
    "externalId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "providerState" TEXT,
    "statusMessage" TEXT,
    "error" TEXT,
    "hyperparameters" TEXT NOT NULL DEFAULT '{}',
    "resources" TEXT NOT NULL DEFAULT '{}',
    "progress" REAL,
    "epoch" REAL,
    "metrics" TEXT NOT NULL DEFAULT '[]',
    "trainExamples" INTEGER NOT NULL DEFAULT 0,
    "validationExamples" INTEGER NOT NULL DEFAULT 0,
    "trainTokens" INTEGER NOT NULL DEFAULT 0,
    "estimatedCostUsd" REAL,
    "finalCostUsd" REAL,
    "outputModel" TEXT,
    "nextPollAt" DATETIME,
    "pollFailures" INTEGER NOT NULL DEFAULT 0,
    "leaseUntil" DATETIME,
    "lastPolledAt" DATETIME,
    "deploymentId" TEXT,
    "deploymentState" TEXT,
    "deploymentError" TEXT,
    "launchJobId" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "FineTuneJob_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FineTuneJob_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FineTuneJob_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "ProviderConnection" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_FineTuneJob" ("baseModel", "connectionId", "createdAt", "datasetVersionId", "error", "externalId", "hyperparameters", "id", "metrics", "outputModel", "projectId", "provider", "state", "updatedAt") SELECT "baseModel", "connectionId", "createdAt", "datasetVersionId", "error", "externalId", "hyperparameters", "id", "metrics", "outputModel", "projectId", "provider", "state", "updatedAt" FROM "FineTuneJob";
DROP TABLE "FineTuneJob";
ALTER TABLE "new_FineTuneJob" RENAME TO "FineTuneJob";
CREATE INDEX "FineTuneJob_state_nextPollAt_idx" ON "FineTuneJob"("state", "nextPollAt");
CREATE UNIQUE INDEX "FineTuneJob_projectId_launchKey_key" ON "FineTuneJob"("projectId", "launchKey");
CREATE TABLE "new_ModelEndpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "connectionId" TEXT,
    "model" TEXT NOT NULL DEFAULT '',
    "settings" TEXT NOT NULL DEFAULT '{}',
    "fineTuneJobId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ModelEndpoint_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ModelEndpoint_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "ProviderConnection" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ModelEndpoint_fineTuneJobId_fkey" FOREIGN KEY ("fineTuneJobId") REFERENCES "FineTuneJob" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ModelEndpoint" ("connectionId", "createdAt", "id", "kind", "model", "name", "projectId", "settings") SELECT "connectionId", "createdAt", "id", "kind", "model", "name", "projectId", "settings" FROM "ModelEndpoint";
DROP TABLE "ModelEndpoint";
ALTER TABLE "new_ModelEndpoint" RENAME TO "ModelEndpoint";
CREATE UNIQUE INDEX "ModelEndpoint_projectId_name_key" ON "ModelEndpoint"("projectId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "FineTuneEvent_fineTuneJobId_at_idx" ON "FineTuneEvent"("fineTuneJobId", "at");

