import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { quoteIdent as quoteIdentifierIfNeeded } from "@/lib/sql/quote";

// The schema as a text-to-SQL model sees it: compact CREATE TABLE statements with keys and
// the descriptions as -- comments. Deterministic (same model, same text), because the prompt
// travels with a dataset version and must not change under it.

function quoteTableName(name: string): string {
  return name.split(".").map(quoteIdentifierIfNeeded).join(".");
}

/** One line of comment text: descriptions may contain newlines that would end a -- comment. */
function commentText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function renderColumn(table: TableModel, column: ColumnModel, inlinePk: boolean, excluded: (c: string) => boolean): string {
  let line = `${quoteIdentifierIfNeeded(column.name)} ${column.type}`;
  if (inlinePk) line += " PRIMARY KEY";
  else if (!column.nullable) line += " NOT NULL";
  if (column.unique && !inlinePk) line += " UNIQUE";
  const fk = table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === column.name);
  if (fk && !excluded(column.name)) line += ` REFERENCES ${quoteTableName(fk.refTable)}(${fk.refColumns.map(quoteIdentifierIfNeeded).join(", ")})`;
  for (const check of column.checks) line += ` CHECK ${check.startsWith("(") ? check : `(${check})`}`;
  return line;
}

export function renderSchemaPrompt(model: SchemaModel, opts?: { excludeColumns?: Set<string> }): string {
  const excludeSet = opts?.excludeColumns ?? new Set<string>();
  const blocks: string[] = [];
  for (const table of model.tables) {
    const excluded = (column: string) => excludeSet.has(`${table.name}.${column}`);
    const columns = table.columns.filter((c) => !excluded(c.name));
    if (columns.length === 0) continue;
    const keeps = (cols: string[]) => cols.every((c) => !excluded(c));
    const inlinePk = table.primaryKey.length === 1 && keeps(table.primaryKey) ? table.primaryKey[0] : undefined;

    const entries: { sql: string; comment?: string }[] = columns.map((c) => ({
      sql: renderColumn(table, c, c.name === inlinePk, excluded),
      comment: c.description ? commentText(c.description) : undefined,
    }));
    if (table.primaryKey.length > 1 && keeps(table.primaryKey)) {
      entries.push({ sql: `PRIMARY KEY (${table.primaryKey.map(quoteIdentifierIfNeeded).join(", ")})` });
    }
    for (const key of table.uniqueKeys) if (keeps(key)) entries.push({ sql: `UNIQUE (${key.map(quoteIdentifierIfNeeded).join(", ")})` });
    for (const fk of table.foreignKeys) {
      if (fk.columns.length === 1 || !keeps(fk.columns)) continue;
      entries.push({
        sql: `FOREIGN KEY (${fk.columns.map(quoteIdentifierIfNeeded).join(", ")}) REFERENCES ${quoteTableName(fk.refTable)}(${fk.refColumns.map(quoteIdentifierIfNeeded).join(", ")})`,
      });
    }
    for (const check of table.checks) {
      const mentionsExcluded = table.columns.some((c) => excluded(c.name) && new RegExp(`\\b${c.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(check));
      if (!mentionsExcluded) entries.push({ sql: `CHECK ${check.startsWith("(") ? check : `(${check})`}` });
    }

    const lines: string[] = [];
    if (table.description) lines.push(`-- ${commentText(table.description)}`);
    lines.push(`CREATE TABLE ${quoteTableName(table.name)} (`);
    entries.forEach((entry, i) => {
      const separator = i < entries.length - 1 ? "," : "";
      lines.push(`  ${entry.sql}${separator}${entry.comment ? ` -- ${entry.comment}` : ""}`);
    });
    lines.push(");");
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
}
