import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { SchemaModel, SchemaWarning } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { getProject } from "@/lib/projects/server/service";

/** Parse pasted DDL and store it as the project's next schema version. Bad DDL stores nothing. */
export async function ingestDdl(db: Db, projectId: string, ddl: string, userId?: string | null) {
  await getProject(db, projectId);
  const { model, warnings } = await parseDuckdbDdl(ddl);
  const latest = await db.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" } });
  if (latest && latest.model === JSON.stringify(model)) {
    throw new ValidationError(`This DDL describes the same schema as version ${latest.version}; nothing was changed.`);
  }
  return db.$transaction(async (tx) => {
    const last = await tx.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true } });
    const version = await tx.schemaVersion.create({
      data: {
        projectId,
        version: (last?.version ?? 0) + 1,
        source: "ddl",
        dialect: "duckdb",
        rawText: ddl,
        model: JSON.stringify(model),
        warnings: JSON.stringify(warnings),
        tableCount: model.tables.length,
        createdById: userId ?? null,
      },
    });
    await recordAudit(tx, {
      projectId,
      userId,
      action: "schema.ingest",
      entityType: "schema_version",
      entityId: version.id,
      summary: `Schema v${version.version}: ${model.tables.length} tables from DDL`,
    });
    return { id: version.id, version: version.version, model, warnings };
  });
}

export interface SchemaVersionView {
  id: string;
  version: number;
  source: string;
  rawText: string;
  model: SchemaModel;
  warnings: SchemaWarning[];
  createdAt: string;
}

export async function getLatestSchema(db: Db, projectId: string): Promise<SchemaVersionView | null> {
  const v = await db.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" } });
  if (!v) return null;
  return toView(v);
}

function toView(v: { id: string; version: number; source: string; rawText: string; model: string; warnings: string; createdAt: Date }): SchemaVersionView {
  return {
    id: v.id,
    version: v.version,
    source: v.source,
    rawText: v.rawText,
    model: JSON.parse(v.model) as SchemaModel,
    warnings: JSON.parse(v.warnings) as SchemaWarning[],
    createdAt: v.createdAt.toISOString(),
  };
}

export async function requireLatestSchema(db: Db, projectId: string): Promise<SchemaVersionView> {
  const schema = await getLatestSchema(db, projectId);
  if (!schema) throw new ValidationError("This project has no schema yet. Paste your DDL on the Schema page first.");
  return schema;
}

export async function getSchemaVersion(db: Db, projectId: string, versionId: string): Promise<SchemaVersionView> {
  const v = await db.schemaVersion.findFirst({ where: { id: versionId, projectId } });
  if (!v) throw new NotFoundError("This schema version does not exist in this project.");
  return toView(v);
}

export async function listSchemaVersions(db: Db, projectId: string) {
  const versions = await db.schemaVersion.findMany({
    where: { projectId },
    orderBy: { version: "desc" },
    select: { id: true, version: true, source: true, tableCount: true, createdAt: true },
  });
  return versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() }));
}
