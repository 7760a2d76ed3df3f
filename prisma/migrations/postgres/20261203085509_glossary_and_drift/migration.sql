-- CreateTable
CREATE TABLE "GlossaryEntry" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL,
    "columnName" TEXT NOT NULL DEFAULT '',
    "description" TEXT,
    "semanticType" TEXT,
    "sensitive" BOOLEAN NOT NULL DEFAULT false,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GlossaryEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForeignKeyDecision" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL,
    "columns" TEXT NOT NULL,
    "refTable" TEXT NOT NULL,
    "refColumns" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "decidedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ForeignKeyDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SchemaDrift" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "fromVersionId" TEXT NOT NULL,
    "toVersionId" TEXT NOT NULL,
    "diff" TEXT NOT NULL,
    "impact" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SchemaDrift_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GlossaryEntry_projectId_tableName_columnName_key" ON "GlossaryEntry"("projectId", "tableName", "columnName");

-- CreateIndex
CREATE UNIQUE INDEX "ForeignKeyDecision_projectId_tableName_columns_refTable_ref_key" ON "ForeignKeyDecision"("projectId", "tableName", "columns", "refTable", "refColumns");

-- CreateIndex
CREATE INDEX "SchemaDrift_projectId_createdAt_idx" ON "SchemaDrift"("projectId", "createdAt");

-- AddForeignKey
ALTER TABLE "GlossaryEntry" ADD CONSTRAINT "GlossaryEntry_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ForeignKeyDecision" ADD CONSTRAINT "ForeignKeyDecision_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SchemaDrift" ADD CONSTRAINT "SchemaDrift_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

