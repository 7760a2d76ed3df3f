import "server-only";
import { stat } from "node:fs/promises";
import type { Db } from "@/lib/db/server/client";
import type { SchemaModel, TableModel } from "@/lib/schema/model";
import { toEffectiveSchema } from "@/lib/schema/model";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { quoteIdent, quoteTable } from "@/lib/sandbox/ddl";
import type { ColumnProfile, ReportCheck, ReportCheckKind, TableReport, ValidationReport } from "@/lib/sandbox/report";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import type { JsonValue } from "@/lib/sql/result";

// Proves each constraint of the schema on a sandbox file with read-only queries: a count of the
// rows that break it. Nothing here writes to the file.

const TIMEOUT_MS = 20_000;

async function scalarRow(dbPath: string, sql: string): Promise<JsonValue[]> {
  const result = await executeReadOnly(dbPath, sql, { timeoutMs: TIMEOUT_MS, maxRows: 1 });
  return result.rows[0] ?? [];
}

const toCount = (v: JsonValue | undefined): number => (v === null || v === undefined ? 0 : Number(v));
const toText = (v: JsonValue | undefined): string | null => (v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v));
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 500);

interface CheckSpec {
  kind: ReportCheckKind;
  label: string;
  columns: string[];
  unit: string;
  sql: string;
}

/** The queries that prove each constraint of one table; each returns one count. */
export function tableCheckSpecs(table: TableModel): CheckSpec[] {
  const q = quoteTable(table.name);
  const specs: CheckSpec[] = [];
  const cols = (names: string[]) => names.map(quoteIdent).join(", ");
  const allNotNull = (names: string[], alias = "") => names.map((n) => `${alias}${quoteIdent(n)} IS NOT NULL`).join(" AND ");
  const anyNull = (names: string[]) => names.map((n) => `${quoteIdent(n)} IS NULL`).join(" OR ");
  // Rows beyond the first of each key value: a key seen 3 times counts 2.
  const excess = (names: string[]) => `SELECT count(*) - count(DISTINCT (${cols(names)})) FROM ${q} WHERE ${allNotNull(names)}`;

  if (table.primaryKey.length > 0) {
    const pk = table.primaryKey;
    specs.push({
      kind: "primary_key",
      label: `PRIMARY KEY (${pk.join(", ")})`,
      columns: pk,
      unit: "duplicate or NULL keys",
      sql: `SELECT (SELECT count(*) FROM ${q} WHERE ${anyNull(pk)}) + (${excess(pk)})`,
    });
  }
  const singlePk = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  for (const column of table.columns) {
    if (column.unique && column.name !== singlePk) {
      specs.push({ kind: "unique", label: `UNIQUE (${column.name})`, columns: [column.name], unit: "duplicate values", sql: excess([column.name]) });
    }
  }
  for (const key of table.uniqueKeys) {
    specs.push({ kind: "unique", label: `UNIQUE (${key.join(", ")})`, columns: key, unit: "duplicate values", sql: excess(key) });
  }
  for (const column of table.columns) {
    if (!column.nullable && !table.primaryKey.includes(column.name)) {
      specs.push({
        kind: "not_null",
        label: `NOT NULL (${column.name})`,
        columns: [column.name],
        unit: "NULL values",
        sql: `SELECT count(*) FROM ${q} WHERE ${quoteIdent(column.name)} IS NULL`,
      });
    }
  }
  for (const fk of table.foreignKeys) {
    const join = fk.columns.map((c, i) => `p.${quoteIdent(fk.refColumns[i] ?? c)} = c.${quoteIdent(c)}`).join(" AND ");
    specs.push({
      kind: "foreign_key",
      label: `FOREIGN KEY (${fk.columns.join(", ")}) → ${fk.refTable} (${fk.refColumns.join(", ")})`,
      columns: fk.columns,
      unit: "orphan rows",
      sql: `SELECT count(*) FROM ${q} c WHERE ${allNotNull(fk.columns, "c.")} AND NOT EXISTS (SELECT 1 FROM ${quoteTable(fk.refTable)} p WHERE ${join})`,
    });
  }
  const checks = [...table.columns.flatMap((c) => c.checks.map((expr) => ({ expr, columns: [c.name] }))), ...table.checks.map((expr) => ({ expr, columns: [] as string[] }))];
  for (const { expr, columns } of checks) {
    specs.push({ kind: "check", label: `CHECK (${expr})`, columns, unit: "violating rows", sql: `SELECT count(*) FROM ${q} WHERE NOT (${expr})` });
  }
  return specs;
}

async function runCheck(dbPath: string, table: string, spec: CheckSpec): Promise<ReportCheck> {
  const base = { table, kind: spec.kind, label: spec.label, columns: spec.columns, unit: spec.unit };
  try {
    const violations = toCount((await scalarRow(dbPath, spec.sql))[0]);
    return { ...base, status: violations === 0 ? "passed" : "failed", violations };
  } catch (error) {
    return { ...base, status: "not_checked", violations: null, error: errorText(error) };
  }
}

async function profileColumn(dbPath: string, table: TableModel, name: string, type: string, rowCount: number): Promise<ColumnProfile> {
  const q = quoteTable(table.name);
  const c = quoteIdent(name);
  try {
    const [nulls, distinct, min, max] = await scalarRow(
      dbPath,
      `SELECT count(*) - count(${c}), count(DISTINCT ${c}), CAST(min(${c}) AS VARCHAR), CAST(max(${c}) AS VARCHAR) FROM ${q}`,
    );
    const top = await executeReadOnly(
      dbPath,
      `SELECT CAST(${c} AS VARCHAR) AS v, count(*) AS n FROM ${q} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT 3`,
      { timeoutMs: TIMEOUT_MS, maxRows: 3 },
    );
    const nullCount = toCount(nulls);
    return {
      name,
      type,
      nullCount,
      nullRate: rowCount === 0 ? 0 : nullCount / rowCount,
      distinct: toCount(distinct),
      min: toText(min),
      max: toText(max),
      top: top.rows.map((r) => ({ value: toText(r[0]) ?? "", count: toCount(r[1]) })),
    };
  } catch (error) {
    return { name, type, nullCount: 0, nullRate: 0, distinct: 0, min: null, max: null, top: [], error: errorText(error) };
  }
}

async function reportTable(dbPath: string, table: TableModel): Promise<TableReport> {
  let rowCount = 0;
  try {
    rowCount = toCount((await scalarRow(dbPath, `SELECT count(*) FROM ${quoteTable(table.name)}`))[0]);
  } catch (error) {
    // A table missing from the file: every check below reports why it could not run.
    return {
      name: table.name,
      rowCount: 0,
      error: errorText(error),
      checks: tableCheckSpecs(table).map((spec) => ({ table: table.name, kind: spec.kind, label: spec.label, columns: spec.columns, unit: spec.unit, status: "not_checked" as const, violations: null, error: errorText(error) })),
      columns: [],
    };
  }
  const checks: ReportCheck[] = [];
  for (const spec of tableCheckSpecs(table)) checks.push(await runCheck(dbPath, table.name, spec));
  const columns: ColumnProfile[] = [];
  for (const column of table.columns) columns.push(await profileColumn(dbPath, table, column.name, column.type, rowCount));
  return { name: table.name, rowCount, checks, columns };
}

/**
 * Checks every primary key, UNIQUE, NOT NULL, foreign key and CHECK of the model against the
 * sandbox file and profiles each column. Read-only: every query goes through executeReadOnly.
 */
export async function buildValidationReport(sandboxPath: string, model: SchemaModel): Promise<ValidationReport> {
  const { size } = await stat(sandboxPath);
  const tables: TableReport[] = [];
  for (const table of model.tables) tables.push(await reportTable(sandboxPath, table));
  return { bytes: size, tables };
}

/** The validation report of the project's active sandbox, against the schema it was built from. */
export async function getActiveSandboxReport(db: Db, projectId: string): Promise<ValidationReport> {
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  return buildValidationReport(sandbox.path, toEffectiveSchema(schema.model));
}
