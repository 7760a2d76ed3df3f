import type { SchemaModel, TableModel } from "@/lib/schema/model";
import { isSameForeignKey, type FillPlan } from "@/lib/sandbox/plan";

// CREATE statements that rebuild a schema model in a sandbox database, with every constraint
// DuckDB can enforce: PRIMARY KEY, UNIQUE, NOT NULL, CHECK and FOREIGN KEY. Defaults are left
// out on purpose: the sandbox always supplies every value, and defaults may name sequences or
// functions that do not exist there.

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

export function renderCreateTable(table: TableModel, plan: Pick<FillPlan, "deferred" | "dangling">): string {
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
  for (const fk of table.foreignKeys) {
    const skipped = [...plan.dangling, ...plan.deferred].some(
      (d) => d.table === table.name && isSameForeignKey(d.foreignKey, fk) && fk.refTable !== table.name,
    );
    if (skipped) continue;
    lines.push(`FOREIGN KEY (${fk.columns.map(quoteIdent).join(", ")}) REFERENCES ${quoteTable(fk.refTable)} (${fk.refColumns.map(quoteIdent).join(", ")})`);
  }
  for (const check of table.checks) lines.push(`CHECK (${check})`);
  return `CREATE TABLE ${quoteTable(table.name)} (\n  ${lines.join(",\n  ")}\n)`;
}

export function renderSandboxDdl(model: SchemaModel, plan: FillPlan): string[] {
  const schemas = new Set(model.tables.map((t) => splitTableName(t.name).schema).filter((s): s is string => s !== null && s !== "main"));
  return [...[...schemas].map((s) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`), ...plan.order.map((t) => renderCreateTable(t, plan))];
}
