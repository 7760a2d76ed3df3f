import { ValidationError } from "@/lib/errors";
import { parseAllowedValues } from "@/lib/schema/checks";
import type { ColumnModel, SchemaModel, SchemaWarning, SourceDialect, TableModel } from "@/lib/schema/model";
import { inferSemanticType } from "@/lib/schema/semantic";
import { mapType } from "@/lib/schema/types";

// Builds a SchemaModel from catalog facts (database files, live introspection, DESCRIBE exports):
// one place that maps types, attaches keys and checks, and words the warnings, so every source
// yields the same shape for the same schema.

/** Types the sandbox cannot fill with meaningful values. */
const UNFILLABLE_TYPE = /(\[\]|^(STRUCT|MAP|UNION|LIST|BLOB|BYTEA|BIT|BITSTRING|VARIANT|GEOMETRY)\b|\[\d+\]$)/i;

export function newTable(name: string, description?: string | null): TableModel {
  return { name, columns: [], primaryKey: [], uniqueKeys: [], foreignKeys: [], checks: [], description: description ?? null };
}

export interface ColumnFacts {
  name: string;
  originalType: string;
  nullable: boolean;
  defaultValue?: string | null;
  description?: string | null;
  /** Overrides the labels parsed from the type (e.g. PostgreSQL enums from pg_enum). */
  enumValues?: string[];
  /** The type to map when it differs from the declared one (e.g. a PostgreSQL domain's base type). */
  mapAs?: string;
}

export function addColumn(dialect: SourceDialect, table: TableModel, facts: ColumnFacts, warnings: SchemaWarning[]): ColumnModel {
  const mapped = mapType(dialect, facts.mapAs ?? facts.originalType);
  const enumValues = facts.enumValues ?? mapped.enumValues;
  // Enums of PostgreSQL and MySQL are VARCHAR with their labels (as the DDL parsers build them); DuckDB keeps ENUM(...).
  const type = facts.enumValues ? "VARCHAR" : mapped.duckdbType;
  const column: ColumnModel = {
    name: facts.name,
    type,
    originalType: facts.originalType,
    canonicalType: enumValues ? "enum" : mapped.canonicalType,
    nullable: facts.nullable,
    primaryKey: false,
    unique: false,
    checks: [],
    defaultValue: facts.defaultValue ?? null,
    semanticType: inferSemanticType(table.name, facts.name, type),
    description: facts.description ?? null,
  };
  if (enumValues) {
    column.enumValues = [...enumValues];
    column.allowedValues = [...enumValues];
  }
  // Unknown types come back as VARCHAR / "other": say so, the user may want to fix the column.
  if (!enumValues && mapped.canonicalType === "other" && mapped.duckdbType === "VARCHAR") {
    warnings.push({
      message: `Column ${table.name}.${facts.name} has type "${facts.originalType || "(none)"}", which the studio does not know: it is treated as VARCHAR. Check the column in the schema editor.`,
    });
  }
  table.columns.push(column);
  return column;
}

export function setPrimaryKey(table: TableModel, columns: readonly string[]): void {
  table.primaryKey = [...columns];
  for (const c of table.columns) {
    if (columns.includes(c.name)) {
      c.primaryKey = true;
      c.nullable = false;
    }
  }
}

export function addUnique(table: TableModel, columns: readonly string[]): void {
  if (columns.length === 1) {
    const column = table.columns.find((c) => c.name === columns[0]);
    if (column) column.unique = true;
    return;
  }
  if (sameColumns(columns, table.primaryKey)) return;
  if (!table.uniqueKeys.some((k) => sameColumns(k, columns))) table.uniqueKeys.push([...columns]);
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export function addForeignKey(table: TableModel, columns: readonly string[], refTable: string, refColumns: readonly string[]): void {
  table.foreignKeys.push({ columns: [...columns], refTable, refColumns: [...refColumns], origin: "declared", status: "confirmed" });
}

/** Column names an expression mentions outside string literals ("x", `x`, [x] or bare x), matched case-insensitively. */
export function mentionedColumns(expression: string, columns: readonly string[]): string[] {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const found = new Set<string>();
  const re = /'(?:[^']|'')*'|"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_$]*)/g;
  for (const m of expression.matchAll(re)) {
    const name = m[1]?.replace(/""/g, '"') ?? m[2]?.replace(/``/g, "`") ?? m[3] ?? m[4];
    if (name === undefined) continue;
    const column = byLower.get(name.toLowerCase());
    if (column !== undefined) found.add(column);
  }
  return [...found];
}

/** A CHECK that mentions one column goes on that column (with its allowed values when it is an IN list); others on the table. */
export function addCheck(table: TableModel, expression: string): void {
  const cols = mentionedColumns(
    expression,
    table.columns.map((c) => c.name),
  );
  const column = cols.length === 1 ? table.columns.find((c) => c.name === cols[0]) : undefined;
  if (!column) {
    table.checks.push(expression);
    return;
  }
  column.checks.push(expression);
  const allowed = parseAllowedValues(expression, column.name);
  if (allowed) column.allowedValues = column.allowedValues ? column.allowedValues.filter((v) => allowed.includes(v)) : allowed;
}

export interface FinishOptions {
  /** Shown when the source has no tables, e.g. "The database file has no tables: …". */
  noTablesMessage: string;
  /** Warn per table without a primary key (off for sources that never carry keys). */
  warnMissingPrimaryKey?: boolean;
}

/** Final pass shared by every catalog source: refuses an empty schema, adjusts semantic types, adds warnings. */
export function finishModel(model: SchemaModel, warnings: SchemaWarning[], options: FinishOptions): { model: SchemaModel; warnings: SchemaWarning[] } {
  if (model.tables.length === 0) throw new ValidationError(options.noTablesMessage);
  const names = new Set(model.tables.map((t) => t.name));
  for (const table of model.tables) {
    if (table.columns.length === 0) {
      warnings.push({ message: `Table ${table.name} has no columns: the sandbox leaves it empty.` });
    }
    for (const column of table.columns) {
      if (column.allowedValues && ["text", "other", "name", "code"].includes(column.semanticType)) column.semanticType = "category";
      if (UNFILLABLE_TYPE.test(column.type)) {
        warnings.push({
          message: `Column ${table.name}.${column.name} has type ${column.type}: the sandbox ${column.nullable ? "leaves it NULL" : "cannot fill it with realistic values"}.`,
        });
      }
    }
    if (options.warnMissingPrimaryKey !== false && table.primaryKey.length === 0) {
      warnings.push({ message: `Table ${table.name} has no primary key: rows cannot be told apart, and queries that need a key are harder to write.` });
    }
    for (const fk of table.foreignKeys) {
      if (!names.has(fk.refTable)) {
        warnings.push({ message: `Table ${table.name} has a foreign key (${fk.columns.join(", ")}) to ${fk.refTable}, which is not in the schema: the sandbox leaves it NULL.` });
      } else if (fk.refTable === table.name && fk.columns.some((c) => table.columns.find((x) => x.name === c)?.nullable === false)) {
        warnings.push({ message: `Table ${table.name} references itself through NOT NULL column(s) ${fk.columns.join(", ")}: the sandbox cannot fill it; make the column nullable.` });
      }
    }
  }
  return { model, warnings };
}

/** Table name in the model: unqualified for the default schema, `schema.table` otherwise. */
export function qualifiedName(schema: string, table: string, defaultSchemas: readonly string[]): string {
  return defaultSchemas.includes(schema) ? table : `${schema}.${table}`;
}
