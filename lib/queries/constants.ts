// The constants a project's queries compare columns with, read from DuckDB's json_serialize_sql
// tree (format pinned with the DuckDB version, as in parse-tree.ts). The sandbox mixes values
// fuzzed around them into test-suite variants, so a gold query's filters select rows there too.
// Pure: server/constants.ts does the parsing.
import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";

export type ConstantValue = string | number | boolean;

export interface ComparedConstant {
  /** What the column reference is qualified with ("a" in a.country, "main.airports" in main.airports.country). */
  qualifier: string | null;
  column: string;
  value: ConstantValue;
}

/** Values kept per column: enough to seed a fuzzer, few enough to keep the sandbox varied. */
export const MAX_CONSTANTS_PER_COLUMN = 50;

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function childrenOf(node: Node): unknown[] {
  return Array.isArray(node.children) ? node.children : [];
}

/** Names DuckDB parses as bare column references but that are really functions. */
const KEYWORD_FUNCTIONS = new Set(["current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"]);

const NUMERIC_TYPES = new Set([
  "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
  "FLOAT", "DOUBLE", "DECIMAL",
]);
const INTEGER_TYPES = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"]);
const TRUE_TEXT = new Set(["t", "true", "y", "yes", "1", "on"]);
const FALSE_TEXT = new Set(["f", "false", "n", "no", "0", "off"]);

interface ColumnRef {
  qualifier: string | null;
  column: string;
}

/** A column reference, seen through casts and collations (CAST(year AS INTEGER) = 2020 compares year). */
function columnOf(e: unknown): ColumnRef | null {
  if (!isNode(e)) return null;
  if (e.class === "CAST" || e.class === "COLLATE") return columnOf(e.child);
  if (e.class !== "COLUMN_REF" || !Array.isArray(e.column_names)) return null;
  const names = e.column_names.map(String);
  if (names.length === 0) return null;
  const column = names[names.length - 1];
  if (names.length === 1 && KEYWORD_FUNCTIONS.has(column.toLowerCase())) return null;
  return { qualifier: names.length > 1 ? names.slice(0, -1).join(".") : null, column };
}

function typeIdOf(type: unknown): string {
  return isNode(type) && typeof type.id === "string" ? type.id.toUpperCase() : "";
}

/** A literal's value; NULL, parameters and values without a safe JS form (HUGEINT, wide DECIMAL) give null. */
function literalOf(e: Node): ConstantValue | null {
  const literal = e.value;
  if (!isNode(literal) || literal.is_null === true) return null;
  const value = literal.value;
  const typeId = typeIdOf(literal.type);
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (typeId === "DECIMAL") {
    // DuckDB serializes a DECIMAL as its unscaled integer: 1.25 is 125 with scale 2.
    const info = isNode(literal.type) && isNode(literal.type.type_info) ? literal.type.type_info : {};
    const scale = typeof info.scale === "number" ? info.scale : 0;
    if (!Number.isSafeInteger(value)) return null;
    return scale > 0 ? Number((value / 10 ** scale).toFixed(scale)) : value;
  }
  if (INTEGER_TYPES.has(typeId) && !Number.isSafeInteger(value)) return null;
  return value;
}

function castTo(value: ConstantValue, typeId: string): ConstantValue | null {
  if (NUMERIC_TYPES.has(typeId)) {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "") {
      const n = Number(value.trim());
      return Number.isFinite(n) ? n : null;
    }
    return null;
  }
  if (typeId === "BOOLEAN") {
    if (typeof value === "boolean") return value;
    const text = String(value).trim().toLowerCase();
    return TRUE_TEXT.has(text) ? true : FALSE_TEXT.has(text) ? false : null;
  }
  if (typeId === "VARCHAR" && typeof value === "number") return String(value);
  // DATE '2020-01-01', TIMESTAMP '…', '…'::TIME and the like keep the constant's text.
  return value;
}

/**
 * The value of a constant expression: a literal, a cast of one (DATE '2020-01-01', '5'::INTEGER,
 * CAST('3' AS BIGINT), TRUE), a collated one, or a negated one (-'5'::INTEGER is an operator over a
 * constant; the parser folds plain -5 into the literal). Anything else is not a constant.
 */
function constantOf(e: unknown): ConstantValue | null {
  if (!isNode(e)) return null;
  switch (e.class) {
    case "CONSTANT":
      return literalOf(e);
    case "CAST": {
      const inner = constantOf(e.child);
      return inner === null ? null : castTo(inner, typeIdOf(e.cast_type));
    }
    case "COLLATE":
      return constantOf(e.child);
    case "FUNCTION": {
      const args = childrenOf(e);
      if (e.is_operator !== true || args.length !== 1 || (e.function_name !== "-" && e.function_name !== "+")) return null;
      const inner = constantOf(args[0]);
      if (typeof inner !== "number") return null;
      return e.function_name === "-" ? -inner : inner;
    }
    default:
      return null;
  }
}

/** column op constant, or constant op column. */
function comparedPair(a: unknown, b: unknown, out: ComparedConstant[]): void {
  const column = columnOf(a) ?? columnOf(b);
  if (!column) return;
  const value = columnOf(a) ? constantOf(b) : constantOf(a);
  if (value !== null) out.push({ ...column, value });
}

function visit(node: unknown, out: ComparedConstant[]): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, out);
    return;
  }
  if (!isNode(node)) return;
  switch (node.class) {
    case "COMPARISON":
      // =, <>, <, <=, >, >=, IS [NOT] DISTINCT FROM. An aggregate or other expression on either
      // side (HAVING count(*) > 5, lower(name) = 'x') is not a column, so it gives nothing.
      comparedPair(node.left, node.right, out);
      break;
    case "BETWEEN": {
      const column = columnOf(node.input);
      if (column) {
        for (const bound of [node.lower, node.upper]) {
          const value = constantOf(bound);
          if (value !== null) out.push({ ...column, value });
        }
      }
      break;
    }
    case "OPERATOR":
      if (node.type === "COMPARE_IN" || node.type === "COMPARE_NOT_IN") {
        const [subject, ...list] = childrenOf(node);
        const column = columnOf(subject);
        if (column) {
          for (const item of list) {
            const value = constantOf(item);
            if (value !== null) out.push({ ...column, value });
          }
        }
      }
      break;
    // LIKE / ILIKE / GLOB / SIMILAR TO are functions (~~, ~~*, …), deliberately not read: their
    // right side is a pattern ('abc%'), not a value the column holds.
  }
  // Keep walking: subqueries, CTEs, join conditions, HAVING, CASE WHEN and nested comparisons.
  for (const value of Object.values(node)) {
    if (typeof value === "object" && value !== null) visit(value, out);
  }
}

/** Walks a DuckDB json_serialize_sql statement node and returns every constant a column is compared with. */
export function collectComparedConstants(node: unknown): ComparedConstant[] {
  const out: ComparedConstant[] = [];
  visit(node, out);
  return out;
}

/**
 * The table references of a statement (every FROM and JOIN, subqueries and CTEs included): alias,
 * or the bare table name when there is none (also "schema.table" when written so), lower-cased →
 * the table name as written ("schema.table" when qualified). References to the statement's CTEs are
 * not tables and are left out; so is an alias bound to two different tables in different scopes,
 * which a flat map cannot tell apart.
 */
export function collectTableAliases(node: unknown): Record<string, string> {
  const cteNames = new Set<string>();
  const findCtes = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) findCtes(item);
      return;
    }
    if (!isNode(value)) return;
    if (isNode(value.cte_map) && Array.isArray(value.cte_map.map)) {
      for (const entry of value.cte_map.map) if (isNode(entry) && typeof entry.key === "string") cteNames.add(entry.key.toLowerCase());
    }
    for (const child of Object.values(value)) {
      if (typeof child === "object" && child !== null) findCtes(child);
    }
  };
  findCtes(node);
  const aliases = new Map<string, string>();
  const ambiguous = new Set<string>();
  const bind = (key: string, table: string) => {
    const existing = aliases.get(key);
    if (existing !== undefined && existing.toLowerCase() !== table.toLowerCase()) ambiguous.add(key);
    else aliases.set(key, table);
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!isNode(value)) return;
    if (value.type === "BASE_TABLE" && typeof value.table_name === "string" && value.table_name !== "") {
      const schema = typeof value.schema_name === "string" ? value.schema_name : "";
      if (!schema && cteNames.has(value.table_name.toLowerCase())) return;
      const table = schema ? `${schema}.${value.table_name}` : value.table_name;
      const alias = typeof value.alias === "string" ? value.alias : "";
      if (alias) bind(alias.toLowerCase(), table);
      else {
        bind(value.table_name.toLowerCase(), table);
        if (schema) bind(table.toLowerCase(), table);
      }
    }
    for (const child of Object.values(value)) {
      if (typeof child === "object" && child !== null) walk(child);
    }
  };
  walk(node);
  for (const key of ambiguous) aliases.delete(key);
  return Object.fromEntries(aliases);
}

function bareName(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? name : name.slice(dot + 1);
}

/** The model's table for a name as a query writes it: exact (case-insensitive), else the only one with that bare name. */
function findTable(model: SchemaModel, name: string): TableModel | null {
  const lower = name.toLowerCase();
  const exact = model.tables.find((t) => t.name.toLowerCase() === lower);
  if (exact) return exact;
  const bare = bareName(lower);
  const matches = model.tables.filter((t) => bareName(t.name.toLowerCase()) === bare);
  return matches.length === 1 ? matches[0] : null;
}

function findColumn(table: TableModel, name: string): ColumnModel | null {
  const lower = name.toLowerCase();
  return table.columns.find((c) => c.name.toLowerCase() === lower) ?? null;
}

function isNumericColumn(column: ColumnModel): boolean {
  if (column.canonicalType) return column.canonicalType === "integer" || column.canonicalType === "decimal" || column.canonicalType === "float";
  return /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL)\b/i.test(column.type.trim());
}

/** A numeric column compared with '1000' gets 1000; a value that cannot be a number there is dropped. */
function fitValue(column: ColumnModel, value: ConstantValue): ConstantValue | null {
  if (!isNumericColumn(column)) return value;
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * Resolves each constant's column to "table.column" of the model (by alias/qualifier when the query
 * gives one, else the only table of the query that has that column), merges and dedupes, caps 50
 * values per column. A qualifier that is neither an alias of a table nor a model table (a CTE or a
 * subquery alias) falls back to the unqualified rule; an alias of a table the model does not have,
 * and a column no table resolves unambiguously, are dropped. Values keep the order
 * they were first seen in; numeric columns get numbers.
 */
export function resolveConstants(
  found: { constants: ComparedConstant[]; tables: string[]; aliases?: Record<string, string> }[],
  model: SchemaModel,
): Record<string, ConstantValue[]> {
  const byColumn = new Map<string, { seen: Set<string>; values: ConstantValue[] }>();
  for (const query of found) {
    const aliases = new Map(Object.entries(query.aliases ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const queryTables = [...new Set([...query.tables, ...aliases.values()].map((name) => findTable(model, name)).filter((t): t is TableModel => t !== null))];
    for (const constant of query.constants) {
      let table: TableModel | null = null;
      let column: ColumnModel | null = null;
      const aliased = constant.qualifier ? aliases.get(constant.qualifier.toLowerCase()) : undefined;
      const qualified = constant.qualifier ? findTable(model, aliased ?? constant.qualifier) : null;
      if (qualified) {
        table = qualified;
        column = findColumn(qualified, constant.column);
      } else if (aliased === undefined) {
        const candidates = queryTables.flatMap((t) => {
          const c = findColumn(t, constant.column);
          return c ? [{ t, c }] : [];
        });
        if (candidates.length === 1) ({ t: table, c: column } = candidates[0]);
      }
      if (!table || !column) continue;
      const value = fitValue(column, constant.value);
      if (value === null) continue;
      const key = `${table.name}.${column.name}`;
      let entry = byColumn.get(key);
      if (!entry) {
        entry = { seen: new Set(), values: [] };
        byColumn.set(key, entry);
      }
      const identity = `${typeof value}:${String(value)}`;
      if (entry.values.length >= MAX_CONSTANTS_PER_COLUMN || entry.seen.has(identity)) continue;
      entry.seen.add(identity);
      entry.values.push(value);
    }
  }
  return Object.fromEntries([...byColumn].map(([key, entry]) => [key, entry.values]));
}
