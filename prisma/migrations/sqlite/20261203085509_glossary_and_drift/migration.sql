-- CreateTable
CREATE TABLE "GlossaryEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL,
    "columnName" TEXT NOT NULL DEFAULT '',
    "description" TEXT,
    "semanticType" TEXT,
    "sensitive" BOOLEAN NOT NULL DEFAULT false,
    "updatedById" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "GlossaryEntry_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ForeignKeyDecision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL,
    "columns" TEXT NOT NULL,
    "refTable" TEXT NOT NULL,
    "refColumns" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "decidedById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ForeignKeyDecision_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SchemaDrift" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "fromVersionId" TEXT NOT NULL,
    "toVersionId" TEXT NOT NULL,
    "diff" TEXT NOT NULL,
    "impact" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SchemaDrift_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "GlossaryEntry_projectId_tableName_columnName_key" ON "GlossaryEntry"("projectId", "tableName", "columnName");

-- CreateIndex
CREATE UNIQUE INDEX "ForeignKeyDecision_projectId_tableName_columns_refTable_refColumns_key" ON "ForeignKeyDecision"("projectId", "tableName", "columns", "refTable", "refColumns");

-- CreateIndex
CREATE INDEX "SchemaDrift_projectId_createdAt_idx" ON "SchemaDrift"("projectId", "createdAt");

