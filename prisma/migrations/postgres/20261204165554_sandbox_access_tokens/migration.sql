-- CreateTable
CREATE TABLE "SandboxAccessToken" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "SandboxAccessToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SandboxAccessToken_tokenHash_key" ON "SandboxAccessToken"("tokenHash");

-- CreateIndex
CREATE INDEX "SandboxAccessToken_datasetVersionId_idx" ON "SandboxAccessToken"("datasetVersionId");

-- AddForeignKey
ALTER TABLE "SandboxAccessToken" ADD CONSTRAINT "SandboxAccessToken_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SandboxAccessToken" ADD CONSTRAINT "SandboxAccessToken_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

