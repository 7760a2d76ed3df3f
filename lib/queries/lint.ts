// Lint rules for queries used as labels: a gold query must return the same rows every time it
// runs, and a result a reviewer can check, or the comparator punishes correct answers. Pure: reads
// the SQL text, the parsed features and, when given, DuckDB's parse tree and what running it showed
// (server/lint-exec.ts gathers both). Each flag says what is wrong and what to do; where the fix is
// mechanical it carries the rewritten SQL.
import type { QueryFeatures } from "@/lib/queries/features";
import { analyzeTopOrder, type KeyFacts, type OrderAnalysis } from "@/lib/queries/lint-order";
import { applyEdits, findCalls, readTopLevelClauses, tokenizeSql, type SqlEdit, type SqlSpan, type SqlToken, type TopLevelClauses } from "@/lib/queries/sql-text";
import type { SchemaModel } from "@/lib/schema/model";

export type LintCode =
  | "limit_without_order"
  | "unordered_limit"
  | "ties_at_limit"
  | "order_by_missing_tiebreak"
  | "question_implies_order"
  | "nondeterministic_function"
  | "select_star"
  | "nulls_order_unspecified"
  | "empty_result"
  | "single_null"
  | "huge_result"
  | "float_result"
  | "schema_drift";

/** Every lint code, most common first (filters and menus list them in this order). */
export const LINT_CODES: readonly LintCode[] = [
  "empty_result",
  "ties_at_limit",
  "order_by_missing_tiebreak",
  "unordered_limit",
  "limit_without_order",
  "question_implies_order",
  "nulls_order_unspecified",
  "nondeterministic_function",
  "single_null",
  "huge_result",
  "float_result",
  "select_star",
  "schema_drift",
];

export type LintSeverity = "error" | "warning" | "info";

/** A mechanical rewrite that removes the flag: the whole query, edited in place. */
export interface LintFix {
  description: string;
  sql: string;
}

export interface LintFlag {
  code: LintCode;
  /** Always set by lintQuery; flags recorded elsewhere (e.g. after execution) may omit it. */
  severity?: LintSeverity;
  message: string;
  fix?: LintFix;
}

export interface LintHints {
  /** Columns known to be unique ("column" or "table.column"), e.g. primary keys. */
  uniqueColumns?: string[];
  /** Columns that may hold NULL ("column" or "table.column"). */
  nullableColumns?: string[];
  /** Primary key columns per table (composite keys too). */
  primaryKeys?: Record<string, string[]>;
  /** Multi-column UNIQUE constraints per table. */
  uniqueKeys?: Record<string, string[][]>;
  /** Columns per table, to tell which table an unqualified column in a join belongs to. */
  tableColumns?: Record<string, string[]>;
}

/** What running the query showed, when it has been run. */
export interface LintResultInfo {
  rowCount: number;
  /** More rows existed than were read (rowCount is then a lower bound). */
  truncated?: boolean;
  /** The last row kept by LIMIT ties with the first row cut off on every ORDER BY key. */
  tiesAtLimit?: boolean;
  /** The first row's values (for single_null). */
  firstRow?: unknown[];
  /** DuckDB type of each output column, e.g. "DOUBLE", "DECIMAL(10,2)" (for float_result). */
  columnTypes?: string[];
  columnNames?: string[];
}

export interface LintOptions {
  hints?: LintHints;
  result?: LintResultInfo;
  /** The natural-language question paired with the query (for question_implies_order). */
  question?: string;
  /**
   * The statement node from parseSqlTree (server/analyze.ts). With it, ORDER BY keys are resolved
   * through aliases, joins, derived tables and CTEs, and order fixes can be offered.
   */
  tree?: unknown;
  /** More rows than this is a huge_result (default 1,000). */
  hugeResultRows?: number;
}

export const DEFAULT_HUGE_RESULT_ROWS = 1000;

const NONDETERMINISTIC_CALLS = [
  "random", "rand", "setseed", "uuid", "gen_random_uuid", "uuidv4", "uuidv7", "now", "today",
  "get_current_time", "get_current_timestamp", "transaction_timestamp", "statement_timestamp", "current_localtime",
  "current_localtimestamp", "nextval", "currval", "reservoir_quantile",
];
const NONDETERMINISTIC_KEYWORDS = ["current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"];
/** Aggregates returning whichever row comes first: arbitrary unless ordered inside the call. */
const ARBITRARY_ROW_CALLS = new Set(["any_value", "arbitrary", "first", "last"]);
/** Aggregates whose output order follows the input order. */
const LIST_CALLS = new Set(["string_agg", "group_concat", "listagg", "list", "array_agg", "json_group_array"]);
/** Window functions that depend on the order of rows within the window. */
const POSITIONAL_WINDOW_CALLS = new Set(["row_number", "lag", "lead", "first_value", "last_value", "nth_value", "ntile"]);

/** Lint hints read from the schema: keys, unique and nullable columns, and each table's columns. */
export function getLintHints(model: SchemaModel): LintHints {
  const uniqueColumns: string[] = [];
  const nullableColumns: string[] = [];
  const primaryKeys: Record<string, string[]> = {};
  const uniqueKeys: Record<string, string[][]> = {};
  const tableColumns: Record<string, string[]> = {};
  for (const table of model.tables) {
    if (table.primaryKey.length === 1) uniqueColumns.push(`${table.name}.${table.primaryKey[0]}`);
    if (table.primaryKey.length > 0) primaryKeys[table.name] = [...table.primaryKey];
    if (table.uniqueKeys.length > 0) uniqueKeys[table.name] = table.uniqueKeys.map((k) => [...k]);
    tableColumns[table.name] = table.columns.map((c) => c.name);
    for (const column of table.columns) {
      if (column.unique) uniqueColumns.push(`${table.name}.${column.name}`);
      if (column.nullable && !column.primaryKey) nullableColumns.push(`${table.name}.${column.name}`);
    }
  }
  return { uniqueColumns, nullableColumns, primaryKeys, uniqueKeys, tableColumns };
}

/** Blank out string literals, quoted identifiers and comments so words inside them are not matched. */
export function stripSqlLiterals(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""');
}

interface Nondeterminism {
  label: string;
  kind: "volatile" | "sample" | "arbitrary_row" | "unordered_list" | "unordered_window";
  /** For unordered lists: ORDER BY the first argument inside the call. */
  edit?: SqlEdit;
}

function findNondeterminism(sql: string, tokens: SqlToken[], features?: QueryFeatures): Nondeterminism[] {
  const calls = findCalls(tokens);
  const called = new Set(calls.map((c) => c.name));
  const found: Nondeterminism[] = [];
  for (const name of NONDETERMINISTIC_CALLS) {
    if (called.has(name) || features?.functions.includes(name)) found.push({ label: `${name}()`, kind: "volatile" });
  }
  const words = new Set(tokens.filter((t) => t.kind === "word").map((t) => t.text.toLowerCase()));
  for (const name of NONDETERMINISTIC_KEYWORDS) if (words.has(name)) found.push({ label: name, kind: "volatile" });
  tokens.forEach((t, i) => {
    if (t.kind !== "word") return;
    if (t.upper === "USING" && tokens[i + 1]?.upper === "SAMPLE") found.push({ label: "USING SAMPLE", kind: "sample" });
    if (t.upper === "TABLESAMPLE") found.push({ label: "TABLESAMPLE", kind: "sample" });
  });
  for (const call of calls) {
    // WITHIN GROUP (ORDER BY …) orders an ordered-set aggregate from outside the parentheses.
    const withinGroup = tokens[call.close + 1]?.upper === "WITHIN" && tokens[call.close + 3]?.kind === "open" && tokens[call.close + 4]?.upper === "ORDER";
    const ordered = call.orderedInside || withinGroup || (call.window && call.windowOrdered);
    if (ordered) continue;
    let item: Nondeterminism | undefined;
    if (ARBITRARY_ROW_CALLS.has(call.name)) item = { label: `${call.name}()${call.window ? " OVER" : ""} without ORDER BY`, kind: "arbitrary_row" };
    else if (LIST_CALLS.has(call.name)) {
      const first = call.args[0];
      item = {
        label: `${call.name}() without ORDER BY`,
        kind: "unordered_list",
        edit: first ? { at: tokens[call.close].start, insert: ` ORDER BY ${sql.slice(first.start, first.end)}` } : undefined,
      };
    } else if (POSITIONAL_WINDOW_CALLS.has(call.name) && call.window) {
      item = { label: `${call.name}() OVER without ORDER BY`, kind: "unordered_window" };
    }
    if (item) found.push(item);
  }
  return found;
}

/** Calls and clauses that make a query return different rows from run to run, e.g. "random()", "USING SAMPLE", "string_agg() without ORDER BY". */
export function findNondeterministicFunctions(sql: string, features?: QueryFeatures): string[] {
  return [...new Set(findNondeterminism(sql, tokenizeSql(sql), features).map((n) => n.label))];
}

function describeNondeterminism(items: Nondeterminism[]): string {
  const labels = (kind: Nondeterminism["kind"]) => [...new Set(items.filter((i) => i.kind === kind).map((i) => i.label))].join(", ");
  const parts: string[] = [];
  if (items.some((i) => i.kind === "volatile")) parts.push(`${labels("volatile")} gives a different value on every run; use a fixed literal (e.g. a date) instead.`);
  if (items.some((i) => i.kind === "sample")) parts.push(`${labels("sample")} reads a random sample of rows; query the whole table instead.`);
  if (items.some((i) => i.kind === "arbitrary_row")) parts.push(`${labels("arbitrary_row")} returns whichever row comes first, which can change between runs unless every row of the group has the same value; use min()/max(), group by the column, or order inside the call.`);
  if (items.some((i) => i.kind === "unordered_list")) parts.push(`${labels("unordered_list")}: the order of the items is arbitrary, so the list can differ between runs; add ORDER BY inside the call.`);
  if (items.some((i) => i.kind === "unordered_window")) parts.push(`${labels("unordered_window")} depends on the order of rows in the window, which is arbitrary; add an ORDER BY ending in a unique key to the window.`);
  return parts.join(" ");
}

function lowerSet(entries: string[] | undefined): Set<string> {
  return new Set((entries ?? []).map((e) => e.toLowerCase()));
}

function lowerRecord<T>(record: Record<string, T> | undefined): Map<string, T> {
  return new Map(Object.entries(record ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function buildKeyFacts(hints: LintHints | undefined, code: string): KeyFacts {
  const nullable = lowerSet(hints?.nullableColumns);
  const unique = lowerSet(hints?.uniqueColumns);
  const primaryKeys = lowerRecord(hints?.primaryKeys);
  const uniqueKeys = lowerRecord(hints?.uniqueKeys);
  const columns = new Map([...lowerRecord(hints?.tableColumns)].map(([t, cols]) => [t, new Set(cols.map((c) => c.toLowerCase()))]));
  const filteredNotNull = (column: string) => isFilteredNotNull(code, column);
  const isNullable = (table: string | undefined, column: string) => {
    if (nullable.has(column)) return true;
    if (table !== undefined) return nullable.has(`${table}.${column}`);
    return [...nullable].some((e) => e.endsWith(`.${column}`));
  };
  return {
    columns,
    nullable: isNullable,
    filteredNotNull,
    keys(table) {
      const sets: string[][] = [];
      const pk = primaryKeys.get(table);
      if (pk && pk.length > 0) sets.push(pk.map((c) => c.toLowerCase()));
      const tableCols = columns.get(table);
      for (const entry of unique) {
        const parts = entry.split(".");
        const column = parts[parts.length - 1];
        const matches = parts.length === 1 ? !tableCols || tableCols.has(column) : parts[parts.length - 2] === table;
        // A UNIQUE column may hold several NULLs, which tie.
        if (matches && (!isNullable(table, column) || filteredNotNull(column))) sets.push([column]);
      }
      for (const key of uniqueKeys.get(table) ?? []) {
        const cols = key.map((c) => c.toLowerCase());
        if (cols.every((c) => !isNullable(table, c) || filteredNotNull(c))) sets.push(cols);
      }
      const distinct = new Map(sets.map((s) => [s.join(","), s]));
      return [...distinct.values()].sort((a, b) => a.length - b.length);
    },
  };
}

/** A column the query filters with IS NOT NULL cannot be NULL in its result, whatever the schema says. */
function isFilteredNotNull(code: string, column: string): boolean {
  const name = column.replace(/[^\w]/g, "");
  if (name === "") return false;
  return new RegExp(`(^|[^\\w.])("?\\w+"?\\.)?"?${name}"?\\s+IS\\s+NOT\\s+NULL\\b`, "i").test(code);
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

/** Without a parse tree: ORDER BY leaves no ties, judged from the feature keys and the hints. */
function orderIsTotal(features: QueryFeatures, hints: LintHints | undefined): boolean {
  const top = features.topLevel;
  if (top.singleRow) return true;
  const orderKeys = new Set(top.orderBy.map((o) => o.key));
  if (orderKeys.has("*") || orderKeys.has("COLUMNS(*)")) return true;
  if (top.orderBy.some((o) => matchesColumn(o.key, hints?.uniqueColumns, features.tables))) return true;
  // Grouped output has one row per group key; rows equal on every output column are interchangeable.
  if (top.groupBy.length > 0 && top.groupBy.every((k) => orderKeys.has(k))) return true;
  return orderCoversOutput(features);
}

function orderCoversOutput(features: QueryFeatures): boolean {
  const top = features.topLevel;
  const orderKeys = new Set(top.orderBy.map((o) => o.key));
  return !features.selectStar && top.select.length > 0 && top.select.every((k) => orderKeys.has(k));
}

// ---------- question wording ----------

const ORDER_PHRASES: { pattern: RegExp; word: string; direction?: "asc" | "desc"; superlative?: boolean }[] = [
  ...["top", "descending"].map((w) => ({ word: w, direction: "desc" as const })),
  ...["bottom", "ascending"].map((w) => ({ word: w, direction: "asc" as const })),
  ...["rank", "ranked", "ranking", "rankings", "sorted", "sort", "ordered", "alphabetical", "alphabetically", "chronological", "chronologically"].map((w) => ({ word: w })),
  ...["highest", "most", "largest", "biggest", "greatest", "longest", "latest", "newest", "best", "busiest"].map((w) => ({ word: w, direction: "desc" as const, superlative: true })),
  ...["lowest", "least", "fewest", "smallest", "shortest", "earliest", "oldest"].map((w) => ({ word: w, direction: "asc" as const, superlative: true })),
  { word: "first", superlative: true },
].map((p) => ({ ...p, pattern: new RegExp(`\\b${p.word}\\b`, "i") }));
const IN_ORDER = /\b(in (ascending |descending |alphabetical |chronological )?order|order(ed)? by|from (highest|largest|most|biggest) to|from (lowest|smallest|least|fewest) to)\b/i;
/** Phrases where an order word does not ask for an order. */
const NOT_ORDER = /\b(at (least|most)|first[ _]name|last[ _]name|most of|top[- ]level|sort of)\b/gi;

interface OrderWording {
  words: string[];
  direction?: "asc" | "desc";
  /** Every word is a superlative ("highest"), which min()/max() can answer without ordering. */
  superlativeOnly: boolean;
}

/** Words in a question that ask for ordered rows ("top", "highest", "sorted", "in order"…). */
export function findOrderWords(question: string): OrderWording | undefined {
  const text = question.replace(/'[^']*'|"[^"]*"|“[^”]*”/g, " ").replace(NOT_ORDER, " ");
  const hits = ORDER_PHRASES.filter((p) => p.pattern.test(text));
  const inOrder = IN_ORDER.exec(text);
  if (hits.length === 0 && !inOrder) return undefined;
  const words = [...hits.map((h) => h.word), ...(inOrder ? [inOrder[0].toLowerCase()] : [])];
  // "from highest to lowest" names both ends; its first word is the direction.
  const phrased = inOrder && /descending|from (highest|largest|most|biggest)/i.test(inOrder[0]) ? "desc" : inOrder && /ascending|from (lowest|smallest|least|fewest)/i.test(inOrder[0]) ? "asc" : undefined;
  const directions = new Set(hits.flatMap((h) => (h.direction ? [h.direction] : [])));
  return {
    words,
    direction: phrased ?? (directions.size === 1 ? [...directions][0] : undefined),
    superlativeOnly: !inOrder && hits.every((h) => h.superlative),
  };
}

const EXTREME_FUNCTIONS = ["min", "max", "arg_min", "arg_max", "argmin", "argmax", "min_by", "max_by", "rank", "dense_rank", "row_number", "first_value", "last_value"];

// ---------- fixes ----------

/** An ORDER BY item without its ASC/DESC and NULLS words. */
export function orderKeyText(sql: string, item: SqlSpan): string {
  return sql
    .slice(item.start, item.end)
    .replace(/\s+(?:(?:ASC|DESC)(?:\s+NULLS\s+(?:FIRST|LAST))?|NULLS\s+(?:FIRST|LAST))\s*$/i, "")
    .replace(/\s+/g, " ")
    .trim();
}

function appendOrderKeys(sql: string, clauses: TopLevelClauses | undefined, keys: string[]): string | undefined {
  const items = clauses?.orderBy?.items;
  if (!items || items.length === 0 || keys.length === 0) return undefined;
  return applyEdits(sql, [{ at: items[items.length - 1].end, insert: `, ${keys.join(", ")}` }]);
}

function insertOrderBy(sql: string, clauses: TopLevelClauses | undefined, keys: string[]): string | undefined {
  if (!clauses || clauses.orderBy || keys.length === 0) return undefined;
  const at = clauses.orderInsertAt;
  const before = at > 0 && !/\s/.test(sql[at - 1]) ? " " : "";
  // Before LIMIT/OFFSET the clause needs a space after it; at the end of the text it does not.
  const after = /^(LIMIT|OFFSET|FETCH)\b/i.test(sql.slice(at)) ? " " : "";
  return applyEdits(sql, [{ at, insert: `${before}ORDER BY ${keys.join(", ")}${after}` }]);
}

// ---------- the rules ----------

/** Flags that make a query a poor label; errors mean the result is not reproducible. */
export function lintQuery(sql: string, features: QueryFeatures, options: LintOptions = {}): LintFlag[] {
  const flags: LintFlag[] = [];
  const { hints, result } = options;
  const top = features.topLevel;
  const code = stripSqlLiterals(sql);
  const tokens = tokenizeSql(sql);
  const clauses = readTopLevelClauses(sql, tokens);
  const facts = buildKeyFacts(hints, code);
  const groupByTexts = (clauses?.groupByItems ?? []).map((s) => sql.slice(s.start, s.end));
  let order: OrderAnalysis | undefined;
  if (options.tree) {
    try {
      order = analyzeTopOrder(options.tree, facts, groupByTexts);
    } catch {
      // An unexpected tree shape: fall back to the feature keys.
      order = undefined;
    }
  }
  // The ORDER BY as written (qualified names, directions); the feature keys when the text is unusual.
  const orderText = clauses?.orderBy && clauses.orderBy.items.length === top.orderBy.length
    ? clauses.orderBy.items.map((s) => sql.slice(s.start, s.end).replace(/\s+/g, " ")).join(", ")
    : top.orderBy.map((o) => o.key).join(", ");
  const nondeterminism = findNondeterminism(sql, tokens, features);
  const randomOrder = top.orderBy.some((o) => NONDETERMINISTIC_CALLS.some((name) => o.key.includes(`${name}(`)));

  if (top.limit && top.orderBy.length === 0 && !top.singleRow) {
    const keys = order?.tiebreakAfter([]);
    const fixed = keys ? insertOrderBy(sql, clauses, keys) : undefined;
    flags.push({
      code: "limit_without_order",
      severity: "error",
      message: "LIMIT without ORDER BY returns an arbitrary subset of rows, which can change between runs; add an ORDER BY that ends in a unique key.",
      ...(fixed && keys ? { fix: { description: `Order by ${keys.join(", ")} before LIMIT, so the same rows are kept every run (check that this is the order the question means).`, sql: fixed } } : {}),
    });
  }
  if (features.unorderedNestedLimits > 0) {
    flags.push({
      code: "unordered_limit",
      severity: "error",
      message: `${features.unorderedNestedLimits === 1 ? "A subquery uses" : `${features.unorderedNestedLimits} subqueries use`} LIMIT without ORDER BY, so which rows it keeps is arbitrary; add an ORDER BY ending in a unique key inside it.`,
    });
  }

  if (top.orderBy.length > 0 && !randomOrder) {
    const total = order ? order.total : orderIsTotal(features, hints);
    const coversOutput = order ? order.coversOutput : orderCoversOutput(features);
    // What to add: a unique key, else the output columns not ordered by yet (rows then tied are identical).
    const remedy = (keys: string[] | undefined, isKey: boolean) =>
      !keys ? "end the ORDER BY with a unique key" : isKey ? `end the ORDER BY with a unique key (${keys.join(", ")})` : `end the ORDER BY with a unique key, or with the remaining output columns (${keys.join(", ")})`;
    // Rows tied on an ORDER BY that names every output column are identical: such ties are harmless.
    if (top.limit && result?.tiesAtLimit === true && !coversOutput) {
      const isKey = order?.tiebreak !== undefined && order.tiebreakIsKey;
      const keys = order?.tiebreak ?? order?.outputTiebreak;
      const fixed = keys ? appendOrderKeys(sql, clauses, keys) : undefined;
      flags.push({
        code: "ties_at_limit",
        severity: "error",
        message: `On the sandbox, the rows on both sides of the LIMIT cut are tied on ORDER BY ${orderText}, so which of them the query returns is arbitrary; ${remedy(keys, isKey)}.`,
        ...(fixed && keys ? { fix: { description: `Break the ties with ${keys.join(", ")}.`, sql: fixed } } : {}),
      });
    } else if (!total) {
      const keys = order?.tiebreak;
      const fixed = keys ? appendOrderKeys(sql, clauses, keys) : undefined;
      flags.push({
        code: "order_by_missing_tiebreak",
        severity: "warning",
        message: top.limit
          ? `ORDER BY ${orderText} can leave rows tied, and LIMIT then keeps an arbitrary one of them; ${remedy(keys, order?.tiebreakIsKey ?? false)}.`
          : `ORDER BY ${orderText} can leave rows tied, and tied rows come back in any order while an ordered result is compared row by row; ${remedy(keys, order?.tiebreakIsKey ?? false)}.`,
        ...(fixed && keys ? { fix: { description: `Add ${keys.join(", ")} as the last ORDER BY key${keys.length > 1 ? "s" : ""} so the order is total.`, sql: fixed } } : {}),
      });
    }
  }

  if (options.question && top.orderBy.length === 0 && !top.singleRow && !(result && result.rowCount <= 1)) {
    const wording = findOrderWords(options.question);
    const answeredByExtremes = wording?.superlativeOnly && features.functions.some((f) => EXTREME_FUNCTIONS.includes(f));
    if (wording && !answeredByExtremes) {
      const measure = order && !order.setOperation && order.measures.length === 1 ? order.measures[0] : undefined;
      const keys = measure && wording.direction ? [`${measure.ref} ${wording.direction.toUpperCase()}`, ...(order?.tiebreakAfter([measure.index]) ?? [])] : undefined;
      const fixed = keys ? insertOrderBy(sql, clauses, keys) : undefined;
      flags.push({
        code: "question_implies_order",
        severity: "warning",
        message: `The question says "${wording.words.join('", "')}" but the query has no ORDER BY, so its rows come back in any order and are compared as a set; add an ORDER BY that matches the question, or reword the question.`,
        ...(fixed && keys ? { fix: { description: `Order by ${keys.join(", ")}.`, sql: fixed } } : {}),
      });
    }
  }

  if (nondeterminism.length > 0) {
    const fixable = nondeterminism.every((n) => n.kind === "unordered_list" && n.edit);
    const onlyArbitraryRows = nondeterminism.every((n) => n.kind === "arbitrary_row");
    flags.push({
      code: "nondeterministic_function",
      severity: onlyArbitraryRows ? "warning" : "error",
      message: `The result can change between runs: ${describeNondeterminism(nondeterminism)}`,
      ...(fixable
        ? { fix: { description: "Order each list by its own values inside the call, so it comes out the same every run.", sql: applyEdits(sql, nondeterminism.map((n) => n.edit!)) } }
        : {}),
    });
  }

  if (features.selectStar) {
    flags.push({
      code: "select_star",
      severity: "warning",
      message: "SELECT * ties the result to the column order of the schema; name the columns the question asks for.",
    });
  }

  const orderItems = clauses?.orderBy?.items ?? [];
  const nullableKeys = order && !order.setOperation
    ? top.orderBy.filter((o, i) => !o.nullsExplicit && order.nullableKeys[i] === true)
    : top.orderBy.filter((o) => !o.nullsExplicit && matchesColumn(o.key, hints?.nullableColumns, features.tables) && !isFilteredNotNull(code, o.key.split(".").pop()!));
  if (nullableKeys.length > 0) {
    const edits = orderItems.length === top.orderBy.length
      ? top.orderBy.flatMap((o, i) => (nullableKeys.includes(o) ? [{ at: orderItems[i].end, insert: " NULLS LAST" }] : []))
      : [];
    flags.push({
      code: "nulls_order_unspecified",
      severity: "info",
      message: `ORDER BY ${nullableKeys.map((o) => (orderItems.length === top.orderBy.length ? orderKeyText(sql, orderItems[top.orderBy.indexOf(o)]) : o.key)).join(", ")} can be NULL, and engines place NULLs differently (DuckDB last, PostgreSQL first when descending); filter the NULLs out or say NULLS FIRST/LAST.`,
      ...(edits.length > 0 ? { fix: { description: "Say NULLS LAST explicitly (what DuckDB does by default, so the result stays the same).", sql: applyEdits(sql, edits) } } : {}),
    });
  }

  if (result) flags.push(...lintResult(result, options.hugeResultRows ?? DEFAULT_HUGE_RESULT_ROWS, order));
  return flags;
}

const FLOAT_TYPE = /^(FLOAT|FLOAT4|FLOAT8|REAL|DOUBLE)$/i;

function lintResult(result: LintResultInfo, hugeRows: number, order: OrderAnalysis | undefined): LintFlag[] {
  const flags: LintFlag[] = [];
  if (result.rowCount === 0) {
    flags.push({
      code: "empty_result",
      severity: "info",
      message: "The query returns no rows on the sandbox, so any query that returns nothing would match it: a weak label. Loosen the filter, or run augmentation to add rows it should find.",
    });
  }
  const first = result.firstRow;
  if (result.rowCount === 1 && !result.truncated && first && first.length > 0 && first.every((v) => v === null || v === undefined)) {
    flags.push({
      code: "single_null",
      severity: "warning",
      message: `The query returns one row whose ${first.length === 1 ? "only value is" : "values are all"} NULL (typically an aggregate over no matching rows), so any query that finds nothing matches it: a weak label. Change the filter so rows match, or run augmentation.`,
    });
  }
  if (result.rowCount > hugeRows || (result.truncated && result.rowCount >= hugeRows)) {
    flags.push({
      code: "huge_result",
      severity: "warning",
      message: `The query returns ${result.truncated ? `more than ${result.rowCount.toLocaleString("en-US")} rows` : `${result.rowCount.toLocaleString("en-US")} rows (over ${hugeRows.toLocaleString("en-US")})`}: a reviewer cannot check a label that large and it bloats exports. Narrow it with a filter or an aggregate, or keep the top rows with ORDER BY … LIMIT.`,
    });
  }
  const types = result.columnTypes ?? [];
  const computed = order?.computedOutputs && order.computedOutputs.length === types.length ? order.computedOutputs : undefined;
  const floats = types.flatMap((type, i) => (FLOAT_TYPE.test(type.trim()) && (computed ? computed[i] : true) ? [i] : []));
  if (floats.length > 0 && result.rowCount > 0) {
    const names = floats.map((i) => result.columnNames?.[i] ?? `column ${i + 1}`);
    flags.push({
      code: "float_result",
      severity: "info",
      message: `${names.length === 1 ? "Column" : "Columns"} ${names.join(", ")} ${names.length === 1 ? "is" : "are"} floating-point (${[...new Set(floats.map((i) => types[i]))].join(", ")}): sums and averages can differ in the last digits between runs and engines, so results are compared with a numeric tolerance; round in the query if the question asks for a precision.`,
    });
  }
  return flags;
}
