-- CreateTable
CREATE TABLE "SecondReview" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "pairId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "reason" TEXT,
    "sql" TEXT NOT NULL,
    "shownSql" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SecondReview_pairId_fkey" FOREIGN KEY ("pairId") REFERENCES "Pair" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Pair" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "queryId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "style" TEXT NOT NULL DEFAULT 'formal',
    "reviewState" TEXT NOT NULL DEFAULT 'pending',
    "revision" INTEGER NOT NULL DEFAULT 1,
    "reviewedById" TEXT,
    "reviewedAt" DATETIME,
    "questionSource" TEXT NOT NULL DEFAULT 'template',
    "rejectReason" TEXT,
    "flags" TEXT NOT NULL DEFAULT '[]',
    "assigneeId" TEXT,
    "secondReviewerId" TEXT,
    "roundTripStatus" TEXT,
    "roundTrip" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Pair_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Pair_queryId_fkey" FOREIGN KEY ("queryId") REFERENCES "Query" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Pair" ("createdAt", "id", "projectId", "queryId", "question", "reviewState", "reviewedAt", "reviewedById", "revision", "style", "updatedAt") SELECT "createdAt", "id", "projectId", "queryId", "question", "reviewState", "reviewedAt", "reviewedById", "revision", "style", "updatedAt" FROM "Pair";
DROP TABLE "Pair";
ALTER TABLE "new_Pair" RENAME TO "Pair";
CREATE INDEX "Pair_projectId_reviewState_idx" ON "Pair"("projectId", "reviewState");
CREATE INDEX "Pair_projectId_assigneeId_idx" ON "Pair"("projectId", "assigneeId");
CREATE INDEX "Pair_projectId_secondReviewerId_idx" ON "Pair"("projectId", "secondReviewerId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SecondReview_projectId_reviewerId_idx" ON "SecondReview"("projectId", "reviewerId");

-- CreateIndex
CREATE UNIQUE INDEX "SecondReview_pairId_reviewerId_key" ON "SecondReview"("pairId", "reviewerId");

