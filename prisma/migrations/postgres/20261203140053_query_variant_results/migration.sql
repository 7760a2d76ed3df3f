-- AlterTable
ALTER TABLE "Query" ADD COLUMN     "resultHash" TEXT;

-- CreateTable
CREATE TABLE "QueryVariantResult" (
    "id" TEXT NOT NULL,
    "queryId" TEXT NOT NULL,
    "sandboxId" TEXT NOT NULL,
    "rowCount" INTEGER,
    "resultHash" TEXT,
    "error" TEXT,
    "executedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueryVariantResult_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "QueryVariantResult_sandboxId_idx" ON "QueryVariantResult"("sandboxId");

-- CreateIndex
CREATE UNIQUE INDEX "QueryVariantResult_queryId_sandboxId_key" ON "QueryVariantResult"("queryId", "sandboxId");

-- AddForeignKey
ALTER TABLE "QueryVariantResult" ADD CONSTRAINT "QueryVariantResult_queryId_fkey" FOREIGN KEY ("queryId") REFERENCES "Query"("id") ON DELETE CASCADE ON UPDATE CASCADE;

