import type { SchemaModel, TableModel } from "@/lib/schema/model";
import type { FillPlan } from "@/lib/sandbox/plan";

// CREATE statements that rebuild a schema model in a sandbox database with PRIMARY KEY, UNIQUE,
// NOT NULL and CHECK declared, so DuckDB enforces them on every insert. Foreign keys are not
// declared: DuckDB verifies them row by row and keeps an index per key, which made a million-row
// sandbox four times slower to build and a third bigger. The generator proves every foreign key
// with one anti-join per key before the file is accepted, and the validation report proves them
// again. Defaults are left out on purpose: the sandbox always supplies every value, and defaults
// may name sequences or functions that do not exist there.

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Model names are "table" for the main schema and "schema.table" otherwise. */
export function splitTableName(name: string): { schema: string | null; table: string } {
  const dot = name.indexOf(".");
  return dot === -1 ? { schema: null, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

export function quoteTable(name: string): string {
  const { schema, table } = splitTableName(name);
  return schema === null ? quoteIdent(table) : `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

export function renderCreateTable(table: TableModel): string {
  const lines: string[] = [];
  const singlePk = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  for (const column of table.columns) {
    let line = `${quoteIdent(column.name)} ${column.type}`;
    if (column.name === singlePk) line += " PRIMARY KEY";
    else if (!column.nullable) line += " NOT NULL";
    if (column.unique && column.name !== singlePk) line += " UNIQUE";
    for (const check of column.checks) line += ` CHECK (${check})`;
    lines.push(line);
  }
  if (table.primaryKey.length > 1) lines.push(`PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(", ")})`);
  for (const key of table.uniqueKeys) lines.push(`UNIQUE (${key.map(quoteIdent).join(", ")})`);
  for (const check of table.checks) lines.push(`CHECK (${check})`);
  return `CREATE TABLE ${quoteTable(table.name)} (\n  ${lines.join(",\n  ")}\n)`;
}

export function renderSandboxDdl(model: SchemaModel, plan: FillPlan): string[] {
  const schemas = new Set(model.tables.map((t) => splitTableName(t.name).schema).filter((s): s is string => s !== null && s !== "main"));
  return [...[...schemas].map((s) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`), ...plan.order.map((t) => renderCreateTable(t))];
}
