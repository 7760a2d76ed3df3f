-- AlterTable
ALTER TABLE "DatasetVersion" ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "heldOutCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "promptFormat" TEXT NOT NULL DEFAULT 'full',
ADD COLUMN     "schemaVersionId" TEXT,
ADD COLUMN     "submittedAt" TIMESTAMP(3),
ADD COLUMN     "submittedById" TEXT,
ADD COLUMN     "userTemplate" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "validationCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "validationFraction" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "variantSandboxIds" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "DatasetItem" ADD COLUMN     "excluded" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "features" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "origin" TEXT NOT NULL DEFAULT 'template',
ADD COLUMN     "redactedQuestion" TEXT,
ADD COLUMN     "systemPrompt" TEXT;

-- AlterTable
ALTER TABLE "DatasetExport" ADD COLUMN     "fileName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "part" TEXT NOT NULL DEFAULT 'all';

-- CreateTable
CREATE TABLE "DatasetFinding" (
    "id" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "itemId" TEXT,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "message" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "reason" TEXT,
    "resolvedById" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetFinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetReview" (
    "id" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "userId" TEXT,
    "action" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetReview_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DatasetFinding_datasetVersionId_status_idx" ON "DatasetFinding"("datasetVersionId", "status");

-- CreateIndex
CREATE INDEX "DatasetReview_datasetVersionId_createdAt_idx" ON "DatasetReview"("datasetVersionId", "createdAt");

-- AddForeignKey
ALTER TABLE "DatasetFinding" ADD CONSTRAINT "DatasetFinding_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetReview" ADD CONSTRAINT "DatasetReview_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

