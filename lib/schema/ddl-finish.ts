import { ValidationError } from "@/lib/errors";
import type { ColumnModel, SchemaModel, SchemaWarning, SourceDialect, TableModel } from "@/lib/schema/model";
import { inferSemanticType } from "@/lib/schema/semantic";
import { mapType } from "@/lib/schema/types";

// What every DDL parser shares once it has built its tables: the same refusals, the same
// warnings and the same defaults, whatever the dialect.

/** Types the sandbox cannot fill with meaningful values. */
const UNFILLABLE_TYPE = /(\[\]|^(STRUCT|MAP|UNION|LIST|BLOB|BYTEA|BIT|BITSTRING|VARIANT|GEOMETRY)\b|\[\d+\]$)/i;

/** Whether two table names are the same table in the dialect (MySQL on case-insensitive systems, SQLite and DuckDB fold case). */
export function tableKey(dialect: SourceDialect, name: string): string {
  return dialect === "postgres" ? name : name.toLowerCase();
}

export function duplicateTableError(name: string, firstLine: number | undefined, secondLine: number | undefined): ValidationError {
  const where = firstLine !== undefined && secondLine !== undefined ? ` (lines ${firstLine} and ${secondLine})` : secondLine !== undefined ? ` (again on line ${secondLine})` : "";
  return new ValidationError(`Table ${name} is created twice${where}: keep one CREATE TABLE ${name} and remove the other.`, {
    table: name,
    lines: [firstLine, secondLine].filter((x) => x !== undefined),
  });
}

/** A fresh column with the type mapped from the source dialect and the semantic type inferred. */
export function newColumn(dialect: SourceDialect, table: string, name: string, originalType: string, extra: Partial<ColumnModel> = {}): ColumnModel {
  const mapped = mapType(dialect, originalType);
  const column: ColumnModel = {
    name,
    type: mapped.duckdbType,
    originalType,
    canonicalType: mapped.canonicalType,
    nullable: true,
    primaryKey: false,
    unique: false,
    checks: [],
    defaultValue: null,
    semanticType: inferSemanticType(table, name, mapped.duckdbType),
    description: null,
    ...extra,
  };
  if (mapped.enumValues) {
    column.enumValues = mapped.enumValues;
    column.allowedValues = [...mapped.enumValues];
  }
  return column;
}

export function newTable(name: string, description: string | null = null): TableModel {
  return { name, columns: [], primaryKey: [], uniqueKeys: [], foreignKeys: [], checks: [], description };
}

/**
 * Refuses a schema without tables, then sets defaults and adds the warnings common to every
 * dialect: semantic types, declared foreign keys confirmed, keys to unknown tables, tables
 * without a primary key, types the sandbox cannot fill. `tableLines` maps table names to the
 * line that created them, for the warnings.
 */
export function finishSchema(dialect: SourceDialect, model: SchemaModel, warnings: SchemaWarning[], tableLines: Map<string, number> = new Map()): { model: SchemaModel; warnings: SchemaWarning[] } {
  if (model.tables.length === 0) {
    // When statements were skipped, say why: a syntax error is the usual reason for "no tables".
    const why = warnings.slice(0, 3).map((w) => (w.line && !/\bline \d+/i.test(w.message) ? `Line ${w.line}: ${w.message}` : w.message));
    throw new ValidationError(
      ["The schema has no tables: paste at least one CREATE TABLE statement (other statements alone do not make a schema).", ...why].join("\n"),
      why.length ? { warnings: warnings.slice(0, 20) } : undefined,
    );
  }
  model.dialect = dialect;
  const out = [...warnings];
  const warn = (message: string, table: string) => {
    const line = tableLines.get(table);
    out.push(line === undefined ? { message } : { message, line });
  };
  const byKey = new Map(model.tables.map((t) => [tableKey(dialect, t.name), t]));
  for (const table of model.tables) {
    for (const column of table.columns) {
      // DEFAULT NULL is the same as no default.
      if (typeof column.defaultValue === "string" && column.defaultValue.trim().toUpperCase() === "NULL") column.defaultValue = null;
      if (column.semanticTypeSource !== "user") column.semanticType = inferSemanticType(table.name, column.name, column.type);
      if (column.enumValues && !column.allowedValues) column.allowedValues = [...column.enumValues];
      if (column.allowedValues && ["text", "other", "name", "code"].includes(column.semanticType)) column.semanticType = "category";
      if (UNFILLABLE_TYPE.test(column.type)) {
        warn(`Column ${table.name}.${column.name} has type ${column.originalType ?? column.type}: the sandbox ${column.nullable ? "leaves it NULL" : "cannot fill it with realistic values"}.`, table.name);
      }
    }
    if (table.primaryKey.length === 0) {
      warn(`Table ${table.name} has no primary key: rows cannot be told apart, and queries that need a key are harder to write.`, table.name);
    }
    for (const fk of table.foreignKeys) {
      fk.origin ??= "declared";
      if (fk.origin === "declared") fk.status ??= "confirmed";
      const target = byKey.get(tableKey(dialect, fk.refTable));
      if (!target) {
        warn(`Table ${table.name} has a foreign key (${fk.columns.join(", ")}) to ${fk.refTable}, which is not in the schema: the sandbox leaves it NULL.`, table.name);
        continue;
      }
      fk.refTable = target.name;
      if (target === table && fk.columns.some((c) => table.columns.find((x) => x.name === c)?.nullable === false)) {
        warn(`Table ${table.name} references itself through NOT NULL column(s) ${fk.columns.join(", ")}: the sandbox cannot fill it; make the column nullable.`, table.name);
      }
    }
  }
  return { model, warnings: out };
}
