// What every shape builder works from: a profile of each table (its key, label, numbers,
// categories, dates), the foreign-key graph, the values sampled from the sandbox, and the helpers
// that write identifiers, literals and question slots the same way everywhere.
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";
import type { Complexity } from "@/lib/queries/complexity";
import type { Rng } from "@/lib/queries/rng";
import { SHAPE_FAMILIES, type QueryShape } from "@/lib/queries/shapes";
import type { AggregateName, ComparisonOp, QuestionCondition, QuestionSeed } from "@/lib/questions/seed";
import { humanizeColumn, humanizeTable, pluralize, singularize } from "@/lib/questions/naming";
import { isKeyword, quoteIdent, sqlLiteral } from "@/lib/sql/quote";

export { quoteIdent, sqlLiteral };

export type SampleValue = string | number | boolean | null;
/** Values sampled from the sandbox, keyed "table.column". */
export type ValueSamples = Record<string, SampleValue[]>;
export type Value = Exclude<SampleValue, null>;

export interface QueryDraft {
  sql: string;
  shape: QueryShape;
  complexity: Complexity;
  question: QuestionSeed;
}

/** Drafts of one shape, one list per table / edge / path; each list holds that unit's variants. */
export type ShapeBuilder = (ctx: Ctx, rng: Rng) => QueryDraft[][];

/** How many variants of a shape each table, edge or path contributes at most. */
export const VARIANTS = 3;

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|INT\d*|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DOUBLE|FLOAT\d*|REAL|DECIMAL|NUMERIC)\b/;
export const TEXT_TYPE = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)\b/;
const DATE_TYPE = /^(DATE|TIMESTAMP)/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

export interface TableProfile {
  table: TableModel;
  name: string;
  /** Human plural ("airports"). */
  entity: string;
  /** A single column that identifies a row (primary key or unique column). */
  key: ColumnModel | null;
  label: ColumnModel | null;
  measures: ColumnModel[];
  categories: ColumnModel[];
  dates: ColumnModel[];
  /** Nullable columns (keys excepted) that hold values in the sandbox. */
  nullables: ColumnModel[];
  /** Text columns worth matching with LIKE (label, names, free text), not short codes. */
  texts: ColumnModel[];
  foreignKeys: ForeignKeyModel[];
}

export interface FkEdge {
  child: TableProfile;
  parent: TableProfile;
  fk: ForeignKeyModel;
  /** The role of the parent row for the child, from the foreign key name ("source airport"). */
  via: string;
}

export interface Ctx {
  model: SchemaModel;
  samples: ValueSamples;
  seed: number;
  profiles: TableProfile[];
  byName: Map<string, TableProfile>;
  edges: FkEdge[];
  /** Edges between two different tables: a self-reference joins a table to itself (join_self). */
  crossEdges: FkEdge[];
}

export function createContext(model: SchemaModel, samples: ValueSamples, seed: number): Ctx {
  const profiles = model.tables.map((t) => profileTable(t, samples));
  const byName = new Map(profiles.map((p) => [p.name.toLowerCase(), p]));
  const edges: FkEdge[] = [];
  for (const child of profiles) {
    for (const fk of child.foreignKeys) {
      const parent = byName.get(fk.refTable.toLowerCase());
      if (parent) edges.push({ child, parent, fk, via: roleOf(fk, parent) });
    }
  }
  return { model, samples, seed, profiles, byName, edges, crossEdges: edges.filter((e) => e.child !== e.parent) };
}

/**
 * The role a parent row plays for the child, from the foreign key's name ("source_airport_id" →
 * "source airport"); a key named like the column it references (dept_code → departments.dept_code)
 * says nothing more than the parent table, so the role is the parent itself ("department").
 */
function roleOf(fk: ForeignKeyModel, parent: TableProfile): string {
  if (fk.columns[0].toLowerCase() === fk.refColumns[0].toLowerCase() && !/(^|_)id$/i.test(fk.columns[0])) return singularize(parent.entity);
  return humanizeColumn(fk.columns[0]);
}

function hasSamples(samples: ValueSamples, table: string, c: ColumnModel): boolean {
  return (samples[`${table}.${c.name}`] ?? []).some((v) => v !== null && v !== undefined);
}

function profileTable(table: TableModel, samples: ValueSamples): TableProfile {
  const fkColumns = new Set(table.foreignKeys.flatMap((fk) => fk.columns));
  const pkColumns = new Set(table.primaryKey);
  // A text foreign key (airports.country → countries.name) still reads as a category; numeric ones are keys.
  const isKey = (c: ColumnModel) =>
    pkColumns.has(c.name) || c.primaryKey || c.semanticType === "id" || (fkColumns.has(c.name) && !TEXT_TYPE.test(c.type));
  const key =
    (table.primaryKey.length === 1 ? table.columns.find((c) => c.name === table.primaryKey[0]) : undefined) ??
    table.columns.find((c) => c.unique && !c.nullable) ??
    null;
  const text = table.columns.filter((c) => TEXT_TYPE.test(c.type) && !fkColumns.has(c.name));
  const label =
    text.find((c) => c.semanticType === "name") ??
    text.find((c) => /^(name|title|label)$/i.test(c.name)) ??
    text.find((c) => !isKey(c) && ["text", "code", "city", "email"].includes(c.semanticType)) ??
    key;
  const has = (c: ColumnModel) => hasSamples(samples, table.name, c);
  const categories = table.columns
    .filter((c) => TEXT_TYPE.test(c.type) && !isKey(c) && !c.unique && c.name !== label?.name && has(c) && categoryRank(c) < 2)
    .sort((a, b) => categoryRank(a) - categoryRank(b));
  const measures = table.columns.filter((c) => NUMERIC_TYPE.test(c.type) && !isKey(c) && has(c));
  const dates = table.columns.filter((c) => (DATE_TYPE.test(c.type) || c.semanticType === "date" || c.semanticType === "timestamp") && has(c));
  const nullables = table.columns.filter((c) => c.nullable && !c.primaryKey && !pkColumns.has(c.name) && has(c));
  const texts = table.columns.filter(
    (c) => TEXT_TYPE.test(c.type) && !isKey(c) && has(c) && (c.name === label?.name || ["name", "text", "email", "city"].includes(c.semanticType)),
  );
  return {
    table,
    name: table.name,
    entity: pluralize(humanizeTable(table.name)),
    key,
    label,
    measures,
    categories,
    dates,
    nullables,
    texts,
    foreignKeys: table.foreignKeys.filter((fk) => fk.columns.length === 1 && fk.refColumns.length === 1),
  };
}

/** 0: natural groupings (category, country, city); 1: codes, which group less meaningfully. */
function categoryRank(c: ColumnModel): number {
  if (["category", "country", "city"].includes(c.semanticType)) return 0;
  if (c.semanticType === "code" || c.semanticType === "boolean") return 1;
  return 2;
}

/** The table's best grouping columns (codes only when nothing better exists). */
export function bestCategories(p: TableProfile): ColumnModel[] {
  if (p.categories.length === 0) return [];
  const best = categoryRank(p.categories[0]);
  return p.categories.filter((c) => categoryRank(c) === best);
}

/** One of the table's best grouping columns, chosen by the seed. */
export function pickCategory(p: TableProfile, rng: Rng): ColumnModel | undefined {
  const best = bestCategories(p);
  return best.length > 0 ? rng.pick(best) : undefined;
}

// ---- Sampled values ------------------------------------------------------------------------

function samplesOf(ctx: Ctx, table: string, column: string): Value[] {
  const list = ctx.samples[`${table}.${column}`] ?? [];
  return list.filter((v): v is Value => v !== null && v !== undefined);
}

/** Sampled values as they came, most frequent first. */
export function rawSamples(ctx: Ctx, table: string, column: string): Value[] {
  return samplesOf(ctx, table, column);
}

export function numericSamples(ctx: Ctx, table: string, column: string): number[] {
  return [...new Set(samplesOf(ctx, table, column).filter((v): v is number => typeof v === "number" && Number.isFinite(v)))].sort((a, b) => a - b);
}

export function textSamples(ctx: Ctx, table: string, column: string): string[] {
  return [...new Set(samplesOf(ctx, table, column).filter((v): v is string => typeof v === "string" && v.trim() !== ""))].sort();
}

export function pickText(ctx: Ctx, table: string, column: string, rng: Rng): string | undefined {
  const values = textSamples(ctx, table, column);
  return values.length > 0 ? rng.pick(values) : undefined;
}

export function dateSamples(ctx: Ctx, table: string, column: string): string[] {
  return [
    ...new Set(
      samplesOf(ctx, table, column)
        .filter((v): v is string => typeof v === "string" && ISO_DATE.test(v))
        .map((v) => v.slice(0, 10)),
    ),
  ].sort();
}

/** Up to n items in a seeded order. */
export function choose<T>(rng: Rng, items: readonly T[], n: number = VARIANTS): T[] {
  return rng.shuffle(items).slice(0, n);
}

/** Every pair [a, b] of the two lists. */
export function pairs<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  return as.flatMap((a) => bs.map((b): [A, B] => [a, b]));
}

// ---- SQL and words -------------------------------------------------------------------------

export function col(name: string, alias?: string): string {
  return alias ? `${alias}.${quoteIdent(name)}` : quoteIdent(name);
}

export function tbl(p: TableProfile): string {
  return quoteIdent(p.name);
}

/** A lower-case snake-case stem for aliases built from a column name. */
export function stem(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** Short alias from the words of a name, never a keyword and unique within a query. */
export function makeAlias(name: string, used: Set<string>): string {
  const initials = humanizeTable(name)
    .split(" ")
    .map((w) => w[0] ?? "")
    .join("")
    .replace(/[^a-z]/g, "");
  const base = initials || "t";
  let alias = base;
  for (let i = 2; used.has(alias) || isKeyword(alias); i++) alias = `${base}${i}`;
  used.add(alias);
  return alias;
}

/** A shown column in words; a key keeps its "id" ("order_id" → "order id", not "order"). */
export function labelWords(c: ColumnModel): string {
  if (c.semanticType !== "id" && !(c.primaryKey && !TEXT_TYPE.test(c.type))) return humanizeColumn(c.name);
  return humanizeTable(c.name);
}

export function labelOrKey(p: TableProfile): ColumnModel | null {
  return p.label ?? p.key;
}

export function countAlias(p: TableProfile): string {
  return quoteIdent(`${singularize(humanizeTable(p.name)).replace(/ /g, "_")}_count`.toLowerCase().replace(/[^a-z0-9_]/g, "_"));
}

export function pickK(rng: Rng): number {
  return rng.pick([3, 5, 10]);
}

/** Aggregates that mean something for a column: nobody sums latitudes. */
export function aggregatesFor(c: ColumnModel): AggregateName[] {
  return ["latitude", "longitude"].includes(c.semanticType) ? ["avg", "min", "max"] : ["avg", "min", "max", "sum"];
}

/** Date columns read better with a noun: "founded" → "founded date". */
export function humanizeDateColumn(c: ColumnModel): string {
  const words = humanizeColumn(c.name);
  return /\b(date|time|day|at|on|timestamp|year)$/.test(words) ? words : `${words} date`;
}

export function isTimestamp(c: ColumnModel): boolean {
  return /^TIMESTAMP/.test(c.type) || c.semanticType === "timestamp";
}

/** A date column as a DATE, so BETWEEN two dates includes the whole last day of a timestamp. */
export function asDate(c: ColumnModel, alias?: string): string {
  return isTimestamp(c) ? `CAST(${col(c.name, alias)} AS DATE)` : col(c.name, alias);
}

export function str(value: Value): string {
  return String(value);
}

/** A predicate in SQL and in words, with the literals the question must state. */
export interface Predicate {
  column: ColumnModel;
  value: Value;
  sql: string;
  words: QuestionCondition;
  literals: string[];
}

export function predicate(column: ColumnModel, op: ComparisonOp, value: Value, opts: { alias?: string; words?: string } = {}): Predicate {
  return {
    column,
    value,
    sql: `${col(column.name, opts.alias)} ${op} ${sqlLiteral(value)}`,
    words: { column: opts.words ?? humanizeColumn(column.name), op, value },
    literals: [str(value)],
  };
}

// The sandbox sampler returns each column's most frequent values (up to 12). A column with many
// distinct sampled values has many groups, so one of its values picks few rows; a numeric column
// whose values all occur once comes back as its smallest values.
const MANY_VALUES = 8;

function hasManyValues(ctx: Ctx, p: TableProfile, c: ColumnModel): boolean {
  return new Set(samplesOf(ctx, p.name, c.name)).size >= MANY_VALUES;
}

/** Continuous numbers (many distinct values) first: extremes and ranges over them pick few rows. */
export function preferContinuous(ctx: Ctx, p: TableProfile, measures: ColumnModel[] = p.measures): ColumnModel[] {
  const continuous = measures.filter((m) => hasManyValues(ctx, p, m));
  return continuous.length > 0 ? continuous : measures;
}

/**
 * Equality predicates on a table's best categories, one per sampled value. With `selective`, only
 * columns with many distinct values when the table has some, so a listed result stays short.
 */
export function equalityPredicates(
  ctx: Ctx,
  p: TableProfile,
  opts: { alias?: string; words?: (c: ColumnModel) => string; exclude?: string; selective?: boolean } = {},
): Predicate[] {
  let columns = bestCategories(p).filter((c) => c.name !== opts.exclude);
  if (opts.selective && columns.some((c) => hasManyValues(ctx, p, c))) columns = columns.filter((c) => hasManyValues(ctx, p, c));
  return columns.flatMap((c) => textSamples(ctx, p.name, c.name).map((v) => predicate(c, "=", v, { alias: opts.alias, words: opts.words?.(c) })));
}

/**
 * One comparison per number of the table, against a middle sampled value, in the direction that
 * picks the fewer rows: below it for continuous numbers (the samples are the smallest values),
 * above it for numbers with few distinct values.
 */
export function numericPredicates(ctx: Ctx, p: TableProfile, opts: { alias?: string } = {}): Predicate[] {
  return p.measures.flatMap((m) => {
    const values = numericSamples(ctx, p.name, m.name);
    if (values.length === 0) return [];
    const mid = values[Math.floor(values.length / 2)];
    if (hasManyValues(ctx, p, m)) return [predicate(m, "<", mid, opts)];
    return mid < values[values.length - 1] ? [predicate(m, ">", mid, opts)] : [predicate(m, "=", mid, opts)];
  });
}

export function draft(shape: QueryShape, sql: string, question: Omit<QuestionSeed, "kind">): QueryDraft {
  return { sql, shape, complexity: SHAPE_FAMILIES[shape].complexity, question: { kind: shape, ...question } };
}

/** The join condition of an edge between the child alias and the parent alias. */
export function joinOn(e: FkEdge, childAlias: string, parentAlias: string): string {
  return `${col(e.fk.columns[0], childAlias)} = ${col(e.fk.refColumns[0], parentAlias)}`;
}

/** Two-hop paths child → parent → grandparent (a self-reference is not a hop to a new table). */
export function listPaths(ctx: Ctx): [FkEdge, FkEdge][] {
  const out: [FkEdge, FkEdge][] = [];
  for (const first of ctx.edges) {
    if (first.child === first.parent) continue;
    for (const second of ctx.edges) {
      if (second.child !== first.parent || second.parent === second.child || second.parent === first.child) continue;
      out.push([first, second]);
    }
  }
  return out;
}

/** "airline's country" — the role chain from a row to a joined table, in words. */
export function possessive(vias: string[], column: string): string {
  return [...vias.map((v) => `${v}'s`), column].join(" ");
}

export { humanizeColumn, singularize, pluralize, humanizeTable };
