// Lint rules for queries used as labels: a gold query must return the same rows every time it
// runs, or the comparator punishes correct answers. Pure: reads the SQL text and parsed features.
import type { QueryFeatures } from "@/lib/queries/features";
import type { SchemaModel } from "@/lib/schema/model";

export type LintCode =
  | "limit_without_order"
  | "unordered_limit"
  | "order_by_missing_tiebreak"
  | "nondeterministic_function"
  | "select_star"
  | "nulls_order_unspecified"
  | "empty_result"
  | "schema_drift";

export type LintSeverity = "error" | "warning" | "info";

export interface LintFlag {
  code: LintCode;
  /** Always set by lintQuery; flags recorded elsewhere (e.g. after execution) may omit it. */
  severity?: LintSeverity;
  message: string;
}

export interface LintHints {
  /** Columns known to be unique ("column" or "table.column"), e.g. primary keys. */
  uniqueColumns?: string[];
  /** Columns that may hold NULL ("column" or "table.column"). */
  nullableColumns?: string[];
}

/** What running the query showed, when it has been run. */
export interface LintResultInfo {
  rowCount: number;
  /** The last row kept by LIMIT ties with the first row cut off on every ORDER BY key. */
  tiesAtLimit?: boolean;
}

const NONDETERMINISTIC_CALLS = [
  "random", "rand", "setseed", "uuid", "gen_random_uuid", "uuidv4", "uuidv7", "now", "today",
  "get_current_time", "get_current_timestamp", "transaction_timestamp", "statement_timestamp", "nextval", "currval",
];
const NONDETERMINISTIC_KEYWORDS = ["current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"];

/** Lint hints read from the schema: single-column keys as unique columns, nullable columns. */
export function getLintHints(model: SchemaModel): LintHints {
  const uniqueColumns: string[] = [];
  const nullableColumns: string[] = [];
  for (const table of model.tables) {
    if (table.primaryKey.length === 1) uniqueColumns.push(`${table.name}.${table.primaryKey[0]}`);
    for (const column of table.columns) {
      if (column.unique) uniqueColumns.push(`${table.name}.${column.name}`);
      if (column.nullable && !column.primaryKey) nullableColumns.push(`${table.name}.${column.name}`);
    }
  }
  return { uniqueColumns, nullableColumns };
}

/** Blank out string literals, quoted identifiers and comments so words inside them are not matched. */
export function stripSqlLiterals(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""');
}

export function findNondeterministicFunctions(sql: string, features?: QueryFeatures): string[] {
  const text = stripSqlLiterals(sql).toLowerCase();
  const found = new Set<string>();
  for (const name of NONDETERMINISTIC_CALLS) {
    if (new RegExp(`\\b${name}\\s*\\(`).test(text) || features?.functions.includes(name)) found.add(`${name}()`);
  }
  for (const name of NONDETERMINISTIC_KEYWORDS) {
    if (new RegExp(`\\b${name}\\b`).test(text)) found.add(name);
  }
  if (/\busing\s+sample\b|\btablesample\b/.test(text)) found.add("USING SAMPLE");
  return [...found];
}

function matchesColumn(key: string, list: string[] | undefined, tables: string[]): boolean {
  if (!list) return false;
  const lowerTables = new Set(tables.map((t) => t.toLowerCase()));
  return list.some((entry) => {
    const parts = entry.toLowerCase().split(".");
    const column = parts[parts.length - 1];
    if (column !== key) return false;
    return parts.length === 1 || lowerTables.has(parts[parts.length - 2]);
  });
}

/** ORDER BY leaves no ties that a LIMIT could cut through differently from run to run. */
function orderIsTotal(features: QueryFeatures, hints: LintHints | undefined): boolean {
  const top = features.topLevel;
  if (top.singleRow) return true;
  const orderKeys = new Set(top.orderBy.map((o) => o.key));
  if (orderKeys.has("*") || orderKeys.has("COLUMNS(*)")) return true;
  if (top.orderBy.some((o) => matchesColumn(o.key, hints?.uniqueColumns, features.tables))) return true;
  // Grouped output has one row per group key; rows equal on every output column are interchangeable.
  if (top.groupBy.length > 0 && top.groupBy.every((k) => orderKeys.has(k))) return true;
  if (!features.selectStar && top.select.length > 0 && top.select.every((k) => orderKeys.has(k))) return true;
  return false;
}

/** Flags that make a query a poor label; errors mean the result is not reproducible. */
export function lintQuery(
  sql: string,
  features: QueryFeatures,
  options: { hints?: LintHints; result?: LintResultInfo } = {},
): LintFlag[] {
  const flags: LintFlag[] = [];
  const { hints, result } = options;
  const top = features.topLevel;

  if (top.limit && top.orderBy.length === 0 && !top.singleRow) {
    flags.push({
      code: "limit_without_order",
      severity: "error",
      message: "LIMIT without ORDER BY returns an arbitrary subset of rows; add an ORDER BY with a unique tiebreak.",
    });
  }
  if (features.unorderedNestedLimits > 0) {
    flags.push({
      code: "unordered_limit",
      severity: "error",
      message: `${features.unorderedNestedLimits === 1 ? "A subquery uses" : `${features.unorderedNestedLimits} subqueries use`} LIMIT without ORDER BY, so which rows it keeps is arbitrary.`,
    });
  }
  if (top.limit && top.orderBy.length > 0 && !orderIsTotal(features, hints)) {
    const ties = result?.tiesAtLimit === true;
    flags.push({
      code: "order_by_missing_tiebreak",
      severity: ties ? "error" : "warning",
      message: ties
        ? `LIMIT cuts through rows tied on ORDER BY ${top.orderBy.map((o) => o.key).join(", ")}; add a unique column as the last ORDER BY key.`
        : `ORDER BY ${top.orderBy.map((o) => o.key).join(", ")} may have ties that LIMIT cuts through; end it with a unique column.`,
    });
  }
  const nondeterministic = findNondeterministicFunctions(sql, features);
  if (nondeterministic.length > 0) {
    flags.push({
      code: "nondeterministic_function",
      severity: "error",
      message: `Uses ${nondeterministic.join(", ")}, so the result changes between runs.`,
    });
  }
  if (features.selectStar) {
    flags.push({
      code: "select_star",
      severity: "warning",
      message: "SELECT * ties the result to the column order of the schema; name the columns the question asks for.",
    });
  }
  const code = stripSqlLiterals(sql);
  // A key filtered with IS NOT NULL cannot be NULL, whatever the schema says.
  const filteredOut = (key: string) => {
    const column = key.split(".").pop()!.replace(/"/g, "");
    return new RegExp(`(^|[^\\w.])("?\\w+"?\\.)?"?${column.replace(/[^\w]/g, "")}"?\\s+IS\\s+NOT\\s+NULL\\b`, "i").test(code);
  };
  const unspecifiedNulls = top.orderBy.filter((o) => !o.nullsExplicit && matchesColumn(o.key, hints?.nullableColumns, features.tables) && !filteredOut(o.key));
  if (unspecifiedNulls.length > 0) {
    flags.push({
      code: "nulls_order_unspecified",
      severity: "info",
      message: `ORDER BY ${unspecifiedNulls.map((o) => o.key).join(", ")} can be NULL and engines place NULLs differently; filter them out or say NULLS FIRST/LAST.`,
    });
  }
  if (result && result.rowCount === 0) {
    flags.push({ code: "empty_result", severity: "info", message: "The query returns no rows on the sandbox." });
  }
  return flags;
}
