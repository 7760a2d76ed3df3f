-- AlterTable
ALTER TABLE "Pair" ADD COLUMN     "assigneeId" TEXT,
ADD COLUMN     "flags" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "questionSource" TEXT NOT NULL DEFAULT 'template',
ADD COLUMN     "rejectReason" TEXT,
ADD COLUMN     "roundTrip" TEXT,
ADD COLUMN     "roundTripStatus" TEXT,
ADD COLUMN     "secondReviewerId" TEXT;

-- CreateTable
CREATE TABLE "SecondReview" (
    "id" TEXT NOT NULL,
    "pairId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "reason" TEXT,
    "sql" TEXT NOT NULL,
    "shownSql" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SecondReview_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SecondReview_projectId_reviewerId_idx" ON "SecondReview"("projectId", "reviewerId");

-- CreateIndex
CREATE UNIQUE INDEX "SecondReview_pairId_reviewerId_key" ON "SecondReview"("pairId", "reviewerId");

-- CreateIndex
CREATE INDEX "Pair_projectId_assigneeId_idx" ON "Pair"("projectId", "assigneeId");

-- CreateIndex
CREATE INDEX "Pair_projectId_secondReviewerId_idx" ON "Pair"("projectId", "secondReviewerId");

-- AddForeignKey
ALTER TABLE "SecondReview" ADD CONSTRAINT "SecondReview_pairId_fkey" FOREIGN KEY ("pairId") REFERENCES "Pair"("id") ON DELETE CASCADE ON UPDATE CASCADE;

