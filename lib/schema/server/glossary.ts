import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { SchemaModel, SemanticType, TableModel } from "@/lib/schema/model";
import { applyInferredForeignKeys } from "@/lib/schema/infer-fks";
import { foreignKeyDecisionInput, glossaryEntryInput, type ForeignKeyDecisionInput, type GlossaryEntryInput } from "@/lib/schema/glossary";
import { parseOrThrow } from "@/lib/validate";

export { foreignKeyDecisionInput, glossaryEntryInput };

// The glossary is keyed by names (table, column, key columns), not by schema version, so what
// people wrote carries over to every later version that still has the element.

const lower = (s: string) => s.toLowerCase();

const joinNames = (names: string[]) => names.join(",");
const fkKey = (table: string, columns: string[], refTable: string, refColumns: string[]) => lower(`${table}|${joinNames(columns)}|${refTable}|${joinNames(refColumns)}`);

/** The model with suggested foreign keys, glossary entries and foreign key decisions laid over it. */
export async function applyGlossary(db: Db, projectId: string, model: SchemaModel): Promise<SchemaModel> {
  const [entries, decisions] = await Promise.all([
    db.glossaryEntry.findMany({ where: { projectId } }),
    db.foreignKeyDecision.findMany({ where: { projectId } }),
  ]);
  const byElement = new Map(entries.map((e) => [lower(`${e.tableName}|${e.columnName}`), e]));
  const byKey = new Map(decisions.map((d) => [lower(`${d.tableName}|${d.columns}|${d.refTable}|${d.refColumns}`), d.status]));
  const withSuggestions = applyInferredForeignKeys(model);
  return {
    ...withSuggestions,
    tables: withSuggestions.tables.map((t): TableModel => {
      const tableEntry = byElement.get(lower(`${t.name}|`));
      return {
        ...t,
        ...(tableEntry && tableEntry.description !== null ? { description: tableEntry.description } : {}),
        columns: t.columns.map((c) => {
          const e = byElement.get(lower(`${t.name}|${c.name}`));
          if (!e) return c;
          return {
            ...c,
            ...(e.description !== null ? { description: e.description } : {}),
            ...(e.semanticType !== null ? { semanticType: e.semanticType as SemanticType, semanticTypeSource: "user" as const } : {}),
            sensitive: e.sensitive,
          };
        }),
        foreignKeys: t.foreignKeys.map((fk) => {
          const status = byKey.get(fkKey(t.name, fk.columns, fk.refTable, fk.refColumns));
          return status === "confirmed" || status === "dropped" ? { ...fk, status } : fk;
        }),
      };
    }),
  };
}

async function latestModel(db: Db, projectId: string): Promise<{ version: number; model: SchemaModel }> {
  const v = await db.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true, model: true } });
  if (!v) throw new ValidationError("This project has no schema yet. Import one on the Schema page first.");
  return { version: v.version, model: JSON.parse(v.model) as SchemaModel };
}

function findTable(model: SchemaModel, name: string, version: number): TableModel {
  const t = model.tables.find((x) => lower(x.name) === lower(name));
  if (!t) throw new NotFoundError(`Schema v${version} has no table "${name}". Reload the glossary: the schema may have changed.`);
  return t;
}

export interface GlossaryEntryView {
  table: string;
  column: string | null;
  description: string | null;
  semanticType: string | null;
  sensitive: boolean;
  updatedAt: string;
}

/** Set a table's or a column's description, a column's semantic type or sensitive flag. */
export async function updateGlossaryEntry(db: Db, projectId: string, raw: GlossaryEntryInput, userId?: string | null): Promise<GlossaryEntryView> {
  const input = parseOrThrow(glossaryEntryInput, raw);
  const { version, model } = await latestModel(db, projectId);
  const table = findTable(model, input.table, version);
  let columnName = "";
  if (input.column) {
    const column = table.columns.find((c) => lower(c.name) === lower(input.column!));
    if (!column) throw new NotFoundError(`Table ${table.name} has no column "${input.column}" in schema v${version}.`);
    columnName = column.name;
  } else if (input.semanticType !== undefined || input.sensitive !== undefined) {
    throw new ValidationError("Semantic types and the sensitive flag belong to columns. Name the column.");
  }
  const description = input.description === undefined ? undefined : input.description?.trim() ? input.description.trim() : null;
  const data = {
    ...(description !== undefined ? { description } : {}),
    ...(input.semanticType !== undefined ? { semanticType: input.semanticType } : {}),
    ...(input.sensitive !== undefined ? { sensitive: input.sensitive } : {}),
    updatedById: userId ?? null,
  };
  const element = columnName ? `${table.name}.${columnName}` : table.name;
  return db.$transaction(async (tx) => {
    const where = { projectId_tableName_columnName: { projectId, tableName: table.name, columnName } };
    const before = await tx.glossaryEntry.findUnique({ where });
    const entry = await tx.glossaryEntry.upsert({ where, create: { projectId, tableName: table.name, columnName, ...data }, update: data });
    const changed = [description !== undefined && "description", input.semanticType !== undefined && "semantic type", input.sensitive !== undefined && (input.sensitive ? "marked sensitive" : "no longer sensitive")].filter(Boolean);
    await recordAudit(tx, {
      projectId,
      userId,
      action: "glossary.update",
      entityType: "glossary_entry",
      entityId: entry.id,
      summary: `Glossary: ${element}: ${changed.join(", ")}`,
      before: before ? { description: before.description, semanticType: before.semanticType, sensitive: before.sensitive } : null,
      after: { description: entry.description, semanticType: entry.semanticType, sensitive: entry.sensitive },
    });
    return {
      table: entry.tableName,
      column: entry.columnName || null,
      description: entry.description,
      semanticType: entry.semanticType,
      sensitive: entry.sensitive,
      updatedAt: entry.updatedAt.toISOString(),
    };
  });
}

/** Confirm or drop a foreign key (suggested or declared) of the latest schema; "suggested" withdraws the decision. */
export async function decideForeignKey(db: Db, projectId: string, raw: ForeignKeyDecisionInput, userId?: string | null) {
  const input = parseOrThrow(foreignKeyDecisionInput, raw);
  const { version, model } = await latestModel(db, projectId);
  const table = findTable(applyInferredForeignKeys(model), input.table, version);
  const fk = table.foreignKeys.find((f) => fkKey(table.name, f.columns, f.refTable, f.refColumns) === fkKey(table.name, input.columns, input.refTable, input.refColumns));
  if (!fk) {
    throw new NotFoundError(`Table ${table.name} has no declared or suggested foreign key (${input.columns.join(", ")}) → ${input.refTable}(${input.refColumns.join(", ")}) in schema v${version}.`);
  }
  const key = { projectId, tableName: table.name, columns: joinNames(fk.columns), refTable: fk.refTable, refColumns: joinNames(fk.refColumns) };
  const label = `${table.name}(${fk.columns.join(", ")}) → ${fk.refTable}(${fk.refColumns.join(", ")})`;
  return db.$transaction(async (tx) => {
    const where = { projectId_tableName_columns_refTable_refColumns: key };
    const before = await tx.foreignKeyDecision.findUnique({ where });
    if (input.status === "suggested") {
      if (before) await tx.foreignKeyDecision.delete({ where });
    } else {
      await tx.foreignKeyDecision.upsert({ where, create: { ...key, status: input.status, decidedById: userId ?? null }, update: { status: input.status, decidedById: userId ?? null } });
    }
    await recordAudit(tx, {
      projectId,
      userId,
      action: "foreign_key.decide",
      entityType: "foreign_key",
      entityId: label,
      summary: input.status === "suggested" ? `Foreign key ${label}: decision withdrawn` : `Foreign key ${label} ${input.status}`,
      before: before ? { status: before.status } : null,
      after: { status: input.status },
    });
    return {
      table: table.name,
      columns: fk.columns,
      refTable: fk.refTable,
      refColumns: fk.refColumns,
      origin: fk.origin ?? "declared",
      confidence: fk.confidence ?? null,
      status: input.status === "suggested" ? (fk.origin === "inferred" ? "suggested" : "confirmed") : input.status,
    };
  });
}

export interface GlossaryView {
  version: number;
  model: SchemaModel;
}

/** The latest schema with the glossary laid over it, or null before the first import. */
export async function getGlossary(db: Db, projectId: string): Promise<GlossaryView | null> {
  const v = await db.schemaVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { version: true, model: true } });
  if (!v) return null;
  return { version: v.version, model: await applyGlossary(db, projectId, JSON.parse(v.model) as SchemaModel) };
}
