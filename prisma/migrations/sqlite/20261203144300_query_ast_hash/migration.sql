-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Query" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "schemaVersionId" TEXT,
    "sql" TEXT NOT NULL,
    "origin" TEXT NOT NULL DEFAULT 'template',
    "shape" TEXT NOT NULL DEFAULT '',
    "complexity" TEXT NOT NULL DEFAULT 'simple',
    "features" TEXT NOT NULL DEFAULT '{}',
    "templateHash" TEXT NOT NULL DEFAULT '',
    "astHash" TEXT NOT NULL DEFAULT '',
    "topLevelOrderBy" BOOLEAN NOT NULL DEFAULT false,
    "lintFlags" TEXT NOT NULL DEFAULT '[]',
    "questionSeed" TEXT,
    "result" TEXT,
    "resultRowCount" INTEGER,
    "resultSandboxId" TEXT,
    "resultHash" TEXT,
    "executionError" TEXT,
    "executedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Query_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Query_schemaVersionId_fkey" FOREIGN KEY ("schemaVersionId") REFERENCES "SchemaVersion" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Query" ("complexity", "createdAt", "executedAt", "executionError", "features", "id", "lintFlags", "origin", "projectId", "questionSeed", "result", "resultHash", "resultRowCount", "resultSandboxId", "schemaVersionId", "shape", "sql", "templateHash", "topLevelOrderBy") SELECT "complexity", "createdAt", "executedAt", "executionError", "features", "id", "lintFlags", "origin", "projectId", "questionSeed", "result", "resultHash", "resultRowCount", "resultSandboxId", "schemaVersionId", "shape", "sql", "templateHash", "topLevelOrderBy" FROM "Query";
DROP TABLE "Query";
ALTER TABLE "new_Query" RENAME TO "Query";
CREATE INDEX "Query_projectId_templateHash_idx" ON "Query"("projectId", "templateHash");
CREATE INDEX "Query_projectId_astHash_idx" ON "Query"("projectId", "astHash");
CREATE UNIQUE INDEX "Query_projectId_sql_key" ON "Query"("projectId", "sql");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

