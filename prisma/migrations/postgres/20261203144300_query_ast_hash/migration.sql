-- AlterTable
ALTER TABLE "Query" ADD COLUMN     "astHash" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "Query_projectId_astHash_idx" ON "Query"("projectId", "astHash");

