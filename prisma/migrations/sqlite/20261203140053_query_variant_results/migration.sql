-- AlterTable
ALTER TABLE "Query" ADD COLUMN "resultHash" TEXT;

-- CreateTable
CREATE TABLE "QueryVariantResult" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "queryId" TEXT NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "rowCount" INTEGER,
    "resultHash" TEXT,
    "error" TEXT,
    "executedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "QueryVariantResult_queryId_fkey" FOREIGN KEY ("queryId") REFERENCES "Query" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "QueryVariantResult_sandboxId_idx" ON "QueryVariantResult"("sandboxId");

-- CreateIndex
CREATE UNIQUE INDEX "QueryVariantResult_queryId_sandboxId_key" ON "QueryVariantResult"("queryId", "sandboxId");

