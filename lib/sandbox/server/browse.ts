import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { ValidationError } from "@/lib/errors";
import type { SchemaModel } from "@/lib/schema/model";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { quoteTable } from "@/lib/sandbox/ddl";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { quoteIdent, sqlLiteral } from "@/lib/sql/quote";
import type { JsonValue, QueryColumn } from "@/lib/sql/result";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";

// One page of one sandbox table, for the table browser. Table and sort column are checked against
// the schema before they reach SQL; the filter text only ever appears as a quoted literal.

export const MAX_PAGE_SIZE = 200;

export const browseRowsInput = z.object({
  table: z.string().min(1, "Choose a table."),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE} rows per page.`).default(50),
  sort: z.string().min(1).optional(),
  dir: z.enum(["asc", "desc"]).default("asc"),
  filter: z.string().max(200, "The filter is limited to 200 characters.").optional(),
});
export type BrowseRowsInput = z.infer<typeof browseRowsInput>;

export interface BrowseRowsResult {
  table: string;
  columns: QueryColumn[];
  rows: JsonValue[][];
  total: number;
  page: number;
  pageSize: number;
}

/** The SELECT and COUNT statements for one page; throws ValidationError for unknown names. */
export function browseSql(model: SchemaModel, input: BrowseRowsInput): { rows: string; count: string } {
  const table = model.tables.find((t) => t.name === input.table);
  if (!table) throw new ValidationError(`There is no table named "${input.table}" in this sandbox. Pick one from the list.`);
  if (input.sort !== undefined && !table.columns.some((c) => c.name === input.sort)) {
    throw new ValidationError(`Table ${table.name} has no column named "${input.sort}". Sort by one of its columns.`);
  }
  const from = quoteTable(table.name);
  const needle = input.filter?.trim().toLowerCase();
  const where = needle
    ? ` WHERE ${table.columns.map((c) => `contains(lower(CAST(${quoteIdent(c.name)} AS VARCHAR)), ${sqlLiteral(needle)})`).join(" OR ")}`
    : "";
  const orderColumns = input.sort !== undefined ? [input.sort] : table.primaryKey;
  const dir = input.dir === "desc" ? "DESC" : "ASC";
  const order = orderColumns.length > 0 ? ` ORDER BY ${orderColumns.map((c) => `${quoteIdent(c)} ${dir} NULLS LAST`).join(", ")}` : "";
  // A stable tie-break on the key keeps paging consistent when the sort column repeats.
  const tieBreak = input.sort !== undefined && table.primaryKey.length > 0 && !table.primaryKey.includes(input.sort) ? `, ${table.primaryKey.map(quoteIdent).join(", ")}` : "";
  const offset = (input.page - 1) * input.pageSize;
  return {
    rows: `SELECT * FROM ${from}${where}${order}${tieBreak} LIMIT ${input.pageSize} OFFSET ${offset}`,
    count: `SELECT count(*) FROM ${from}${where}`,
  };
}

export async function browseSandboxRows(db: Db, projectId: string, input: BrowseRowsInput): Promise<BrowseRowsResult> {
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const sql = browseSql(schema.model, input);
  const [rows, count] = await Promise.all([
    executeReadOnly(sandbox.path, sql.rows, { maxRows: input.pageSize, timeoutMs: 10_000 }),
    executeReadOnly(sandbox.path, sql.count, { maxRows: 1, timeoutMs: 10_000 }),
  ]);
  return { table: input.table, columns: rows.columns, rows: rows.rows, total: Number(count.rows[0]?.[0] ?? 0), page: input.page, pageSize: input.pageSize };
}

export interface BrowsableTable {
  name: string;
  columns: string[];
}

/** The tables of the active sandbox, or null when the project has none yet. */
export async function listBrowsableTables(db: Db, projectId: string, activeSandboxId: string | null): Promise<BrowsableTable[] | null> {
  if (!activeSandboxId) return null;
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  return schema.model.tables.map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name) }));
}
