import "server-only";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { SchemaModel, SchemaWarning } from "@/lib/schema/model";
import { applyGlossary } from "@/lib/schema/server/glossary";

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
  const view = toView(v);
  // Descriptions, semantic types, sensitive flags and key decisions carry over by name.
  return { ...view, model: await applyGlossary(db, projectId, view.model) };
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
  const view = toView(v);
  return { ...view, model: await applyGlossary(db, projectId, view.model) };
}

export async function listSchemaVersions(db: Db, projectId: string) {
  const versions = await db.schemaVersion.findMany({
    where: { projectId },
    orderBy: { version: "desc" },
    select: { id: true, version: true, source: true, tableCount: true, createdAt: true },
  });
  return versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() }));
}
