// Rule-based query generation: for every table, foreign key and suitable column of a schema, one
// query per shape (see shapes.ts), with filter values drawn from rows sampled from the sandbox so
// filters match. Every query is deterministic: a LIMIT always follows an ORDER BY that ends in a
// unique key or covers every output column, and no random()/now() is used.
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";
import type { Complexity } from "@/lib/queries/complexity";
import { createRng, deriveSeed, type Rng } from "@/lib/queries/rng";
import { QUERY_SHAPES, type QueryShape } from "@/lib/queries/shapes";
import type { AggregateName, QuestionSeed } from "@/lib/questions/seed";
import { humanizeColumn, humanizeTable, pluralize, singularize } from "@/lib/questions/naming";

export type { QuestionSeed } from "@/lib/questions/seed";
export type { QueryShape } from "@/lib/queries/shapes";

export type SampleValue = string | number | boolean | null;
/** Values sampled from the sandbox, keyed "table.column". */
export type ValueSamples = Record<string, SampleValue[]>;

export interface QueryDraft {
  sql: string;
  shape: QueryShape;
  complexity: Complexity;
  question: QuestionSeed;
}

import { isKeyword, quoteIdent, sqlLiteral } from "@/lib/sql/quote";
export { quoteIdent, sqlLiteral };

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|INT\d*|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DOUBLE|FLOAT\d*|REAL|DECIMAL|NUMERIC)\b/;
const TEXT_TYPE = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)\b/;
const DATE_TYPE = /^(DATE|TIMESTAMP)/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

interface TableProfile {
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
  foreignKeys: ForeignKeyModel[];
}

interface Ctx {
  model: SchemaModel;
  samples: ValueSamples;
  seed: number;
  profiles: TableProfile[];
  byName: Map<string, TableProfile>;
}

function samplesOf(ctx: Ctx, table: string, column: string): Exclude<SampleValue, null>[] {
  const list = ctx.samples[`${table}.${column}`] ?? [];
  return list.filter((v): v is Exclude<SampleValue, null> => v !== null && v !== undefined);
}

function numericSamples(ctx: Ctx, table: string, column: string): number[] {
  return [...new Set(samplesOf(ctx, table, column).filter((v): v is number => typeof v === "number" && Number.isFinite(v)))].sort((a, b) => a - b);
}

function textSamples(ctx: Ctx, table: string, column: string): string[] {
  return [...new Set(samplesOf(ctx, table, column).filter((v): v is string => typeof v === "string" && v.trim() !== ""))].sort();
}

function pickText(ctx: Ctx, table: string, column: string, rng: Rng): string | undefined {
  const values = textSamples(ctx, table, column);
  return values.length > 0 ? rng.pick(values) : undefined;
}

function dateSamples(ctx: Ctx, table: string, column: string): string[] {
  return [
    ...new Set(
      samplesOf(ctx, table, column)
        .filter((v): v is string => typeof v === "string" && ISO_DATE.test(v))
        .map((v) => v.slice(0, 10)),
    ),
  ].sort();
}

function profileTable(table: TableModel, ctx: Omit<Ctx, "profiles" | "byName">): TableProfile {
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
  const has = (c: ColumnModel) => (ctx.samples[`${table.name}.${c.name}`] ?? []).some((v) => v !== null);
  const categories = table.columns
    .filter((c) => TEXT_TYPE.test(c.type) && !isKey(c) && !c.unique && c.name !== label?.name && has(c) && categoryRank(c) < 2)
    .sort((a, b) => categoryRank(a) - categoryRank(b));
  const measures = table.columns.filter((c) => NUMERIC_TYPE.test(c.type) && !isKey(c) && has(c));
  const dates = table.columns.filter((c) => (DATE_TYPE.test(c.type) || c.semanticType === "date" || c.semanticType === "timestamp") && has(c));
  return {
    table,
    name: table.name,
    entity: pluralize(humanizeTable(table.name)),
    key,
    label,
    measures,
    categories,
    dates,
    foreignKeys: table.foreignKeys.filter((fk) => fk.columns.length === 1 && fk.refColumns.length === 1),
  };
}

/** 0: natural groupings (category, country, city); 1: codes, which group less meaningfully. */
function categoryRank(c: ColumnModel): number {
  if (["category", "country", "city"].includes(c.semanticType)) return 0;
  if (c.semanticType === "code" || c.semanticType === "boolean") return 1;
  return 2;
}

/** One of the table's best grouping columns, chosen by the seed. */
function pickCategory(p: TableProfile, rng: Rng): ColumnModel | undefined {
  if (p.categories.length === 0) return undefined;
  const best = categoryRank(p.categories[0]);
  return rng.pick(p.categories.filter((c) => categoryRank(c) === best));
}

/** Date columns read better with a noun: "founded" → "founded date". */
function humanizeDateColumn(c: ColumnModel): string {
  const words = humanizeColumn(c.name);
  return /\b(date|time|day|at|on|timestamp|year)$/.test(words) ? words : `${words} date`;
}

function col(name: string, alias?: string): string {
  return alias ? `${alias}.${quoteIdent(name)}` : quoteIdent(name);
}

/** Short alias from the words of a name, never a keyword and unique within a query. */
function makeAlias(name: string, used: Set<string>): string {
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

function labelOrKey(p: TableProfile): ColumnModel | null {
  return p.label ?? p.key;
}

function countAlias(p: TableProfile): string {
  return quoteIdent(`${singularize(humanizeTable(p.name)).replace(/ /g, "_")}_count`.toLowerCase().replace(/[^a-z0-9_]/g, "_"));
}

function pickK(rng: Rng): number {
  return rng.pick([3, 5, 10]);
}

type ShapeBuilder = (ctx: Ctx, rng: Rng) => QueryDraft[];

function draft(shape: QueryShape, complexity: Complexity, sql: string, question: Omit<QuestionSeed, "kind">): QueryDraft {
  return { sql, shape, complexity, question: { kind: shape, ...question } };
}

function str(value: Exclude<SampleValue, null>): string {
  return String(value);
}

interface FkEdge {
  child: TableProfile;
  parent: TableProfile;
  fk: ForeignKeyModel;
  via: string;
}

function listEdges(ctx: Ctx): FkEdge[] {
  const edges: FkEdge[] = [];
  for (const child of ctx.profiles) {
    for (const fk of child.foreignKeys) {
      const parent = ctx.byName.get(fk.refTable.toLowerCase());
      if (!parent) continue;
      edges.push({ child, parent, fk, via: humanizeColumn(fk.columns[0]) });
    }
  }
  return edges;
}

const builders: Record<QueryShape, ShapeBuilder> = {
  count_rows: (ctx) =>
    ctx.profiles.map((p) => draft("count_rows", "simple", `SELECT count(*) FROM ${quoteIdent(p.name)}`, { entity: p.entity, literals: [] })),

  filter_equals: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const shown = labelOrKey(p);
      const cat = pickCategory(p, rng);
      if (!shown || !cat) return [];
      const value = pickText(ctx, p.name, cat.name, rng);
      if (value === undefined) return [];
      return [
        draft("filter_equals", "simple", `SELECT ${col(shown.name)} FROM ${quoteIdent(p.name)} WHERE ${col(cat.name)} = ${sqlLiteral(value)}`, {
          entity: p.entity,
          label: humanizeColumn(shown.name),
          groupColumn: humanizeColumn(cat.name),
          value,
          literals: [value],
        }),
      ];
    }),

  filter_compare: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const measure = p.measures.find((m) => numericSamples(ctx, p.name, m.name).length > 0);
      if (!measure) return [];
      const values = numericSamples(ctx, p.name, measure.name);
      const value = values[Math.floor(values.length / 2)];
      const direction = rng.pick(["asc", "desc"] as const);
      const op = direction === "desc" ? ">" : "<";
      return [
        draft("filter_compare", "simple", `SELECT count(*) FROM ${quoteIdent(p.name)} WHERE ${col(measure.name)} ${op} ${sqlLiteral(value)}`, {
          entity: p.entity,
          column: humanizeColumn(measure.name),
          value,
          direction,
          literals: [str(value)],
        }),
      ];
    }),

  filter_range: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const measures = p.measures.filter((m) => numericSamples(ctx, p.name, m.name).length >= 2);
      if (measures.length === 0) return [];
      const measure = rng.pick(measures);
      const values = numericSamples(ctx, p.name, measure.name);
      const low = values[Math.floor(values.length / 4)];
      const high = values[Math.max(Math.floor((values.length * 3) / 4), Math.floor(values.length / 4) + 1)] ?? values[values.length - 1];
      const shown = labelOrKey(p);
      const select = shown && shown.name !== measure.name ? `${col(shown.name)}, ${col(measure.name)}` : col(measure.name);
      return [
        draft(
          "filter_range",
          "moderate",
          `SELECT ${select} FROM ${quoteIdent(p.name)} WHERE ${col(measure.name)} BETWEEN ${sqlLiteral(low)} AND ${sqlLiteral(high)}`,
          { entity: p.entity, label: shown ? humanizeColumn(shown.name) : undefined, column: humanizeColumn(measure.name), low, high, literals: [str(low), str(high)] },
        ),
      ];
    }),

  filter_like_prefix: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const target = p.label && TEXT_TYPE.test(p.label.type) ? p.label : p.categories[0];
      if (!target) return [];
      const candidates = textSamples(ctx, p.name, target.name)
        .map((v) => v.slice(0, Math.min(3, Math.max(1, v.length - 1))).trimEnd())
        .filter((prefix) => prefix.length > 0 && !/[%_\\]/.test(prefix));
      if (candidates.length === 0) return [];
      const prefix = rng.pick(candidates);
      const shown = labelOrKey(p) ?? target;
      return [
        draft(
          "filter_like_prefix",
          "moderate",
          `SELECT ${col(shown.name)} FROM ${quoteIdent(p.name)} WHERE ${col(target.name)} LIKE ${sqlLiteral(`${prefix}%`)}`,
          { entity: p.entity, label: humanizeColumn(shown.name), column: humanizeColumn(target.name), prefix, literals: [prefix] },
        ),
      ];
    }),

  distinct_values: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const cat = pickCategory(p, rng);
      if (!cat) return [];
      return [
        draft("distinct_values", "simple", `SELECT DISTINCT ${col(cat.name)} FROM ${quoteIdent(p.name)} WHERE ${col(cat.name)} IS NOT NULL`, {
          entity: p.entity,
          groupColumn: humanizeColumn(cat.name),
          literals: [],
        }),
      ];
    }),

  aggregate: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      if (p.measures.length === 0) return [];
      const measure = rng.pick(p.measures);
      const agg = rng.pick<AggregateName>(["avg", "min", "max", "sum"]);
      const cat = pickCategory(p, rng);
      const base = `SELECT ${agg}(${col(measure.name)}) FROM ${quoteIdent(p.name)}`;
      if (cat && rng.next() < 0.5) {
        const value = pickText(ctx, p.name, cat.name, rng);
        if (value === undefined) return [];
        return [
          draft("aggregate", "simple", `${base} WHERE ${col(cat.name)} = ${sqlLiteral(value)}`, {
            entity: p.entity,
            column: humanizeColumn(measure.name),
            agg,
            groupColumn: humanizeColumn(cat.name),
            value,
            literals: [value],
          }),
        ];
      }
      return [draft("aggregate", "simple", base, { entity: p.entity, column: humanizeColumn(measure.name), agg, literals: [] })];
    }),

  group_count_top: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const cat = pickCategory(p, rng);
      if (!cat) return [];
      const k = pickK(rng);
      const n = countAlias(p);
      const c = col(cat.name);
      return [
        draft(
          "group_count_top",
          "moderate",
          `SELECT ${c}, count(*) AS ${n} FROM ${quoteIdent(p.name)} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY ${n} DESC, ${c} ASC LIMIT ${k}`,
          { entity: p.entity, groupColumn: humanizeColumn(cat.name), k, literals: [String(k)] },
        ),
      ];
    }),

  group_having: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const cat = pickCategory(p, rng);
      if (!cat) return [];
      const counts = new Map<string, number>();
      for (const v of samplesOf(ctx, p.name, cat.name)) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const maxCount = Math.max(0, ...counts.values());
      const threshold = Math.max(1, Math.min(rng.pick([1, 2, 3]), maxCount - 1));
      const n = countAlias(p);
      const c = col(cat.name);
      return [
        draft(
          "group_having",
          "moderate",
          `SELECT ${c}, count(*) AS ${n} FROM ${quoteIdent(p.name)} WHERE ${c} IS NOT NULL GROUP BY ${c} HAVING count(*) > ${threshold}`,
          { entity: p.entity, groupColumn: humanizeColumn(cat.name), threshold, literals: [String(threshold)] },
        ),
      ];
    }),

  multi_aggregate_group: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const cat = pickCategory(p, rng);
      if (!cat || p.measures.length === 0) return [];
      const measure = rng.pick(p.measures);
      const m = col(measure.name);
      const c = col(cat.name);
      const stem = measure.name.toLowerCase().replace(/[^a-z0-9_]/g, "_");
      return [
        draft(
          "multi_aggregate_group",
          "complex",
          `SELECT ${c}, count(*) AS ${countAlias(p)}, avg(${m}) AS ${quoteIdent(`avg_${stem}`)}, max(${m}) AS ${quoteIdent(`max_${stem}`)} FROM ${quoteIdent(p.name)} WHERE ${c} IS NOT NULL GROUP BY ${c}`,
          { entity: p.entity, groupColumn: humanizeColumn(cat.name), column: humanizeColumn(measure.name), literals: [] },
        ),
      ];
    }),

  top_k: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      if (p.measures.length === 0) return [];
      const measure = rng.pick(p.measures);
      const shown = labelOrKey(p);
      const k = pickK(rng);
      const direction = rng.pick(["asc", "desc"] as const);
      const m = col(measure.name);
      const select = shown && shown.name !== measure.name ? [col(shown.name), m] : [m];
      // The key makes the order total; without one, ordering by every output column does.
      const tiebreak = p.key ? [col(p.key.name)] : select.filter((s) => s !== m);
      const order = [`${m} ${direction.toUpperCase()}`, ...tiebreak.map((t) => `${t} ASC`)].join(", ");
      return [
        draft(
          "top_k",
          "simple",
          `SELECT ${select.join(", ")} FROM ${quoteIdent(p.name)} WHERE ${m} IS NOT NULL ORDER BY ${order} LIMIT ${k}`,
          { entity: p.entity, label: shown ? humanizeColumn(shown.name) : undefined, column: humanizeColumn(measure.name), k, direction, literals: [String(k)] },
        ),
      ];
    }),

  join_filter: (ctx, rng) =>
    listEdges(ctx).flatMap((e) => {
      const cat = pickCategory(e.parent, rng);
      if (!cat) return [];
      const value = pickText(ctx, e.parent.name, cat.name, rng);
      if (value === undefined) return [];
      const used = new Set<string>();
      const c = makeAlias(e.child.name, used);
      const p = makeAlias(e.via, used);
      return [
        draft(
          "join_filter",
          "moderate",
          `SELECT count(*) FROM ${quoteIdent(e.child.name)} ${c} JOIN ${quoteIdent(e.parent.name)} ${p} ON ${col(e.fk.columns[0], c)} = ${col(e.fk.refColumns[0], p)} WHERE ${col(cat.name, p)} = ${sqlLiteral(value)}`,
          { entity: e.child.entity, parent: e.parent.entity, via: e.via, groupColumn: humanizeColumn(cat.name), value, literals: [value] },
        ),
      ];
    }),

  join_group_count: (ctx, rng) =>
    listEdges(ctx).flatMap((e) => {
      const label = e.parent.label;
      if (!label) return [];
      const k = pickK(rng);
      const used = new Set<string>();
      const c = makeAlias(e.child.name, used);
      const p = makeAlias(e.via, used);
      const n = countAlias(e.child);
      const l = col(label.name, p);
      return [
        draft(
          "join_group_count",
          "moderate",
          `SELECT ${l}, count(*) AS ${n} FROM ${quoteIdent(e.child.name)} ${c} JOIN ${quoteIdent(e.parent.name)} ${p} ON ${col(e.fk.columns[0], c)} = ${col(e.fk.refColumns[0], p)} GROUP BY ${l} ORDER BY ${n} DESC, ${l} ASC LIMIT ${k}`,
          { entity: e.child.entity, parent: e.parent.entity, via: e.via, label: humanizeColumn(label.name), k, literals: [String(k)] },
        ),
      ];
    }),

  join_chain: (ctx, rng) =>
    ctx.profiles.flatMap((child) => {
      const edges = listEdges(ctx).filter((e) => e.child === child && e.parent.label);
      if (edges.length < 2) return [];
      const [first, second] = edges;
      const cat = pickCategory(first.parent, rng);
      if (!cat || !first.parent.label || !second.parent.label) return [];
      const value = pickText(ctx, first.parent.name, cat.name, rng);
      if (value === undefined) return [];
      const used = new Set<string>();
      const c = makeAlias(child.name, used);
      const a = makeAlias(first.via, used);
      const b = makeAlias(second.via, used);
      const asName = (via: string, label: ColumnModel) => quoteIdent(`${via} ${label.name}`.toLowerCase().replace(/[^a-z0-9]+/g, "_"));
      const select = `${col(first.parent.label.name, a)} AS ${asName(first.via, first.parent.label)}, ${col(second.parent.label.name, b)} AS ${asName(second.via, second.parent.label)}`;
      return [
        draft(
          "join_chain",
          "complex",
          `SELECT ${select} FROM ${quoteIdent(child.name)} ${c} JOIN ${quoteIdent(first.parent.name)} ${a} ON ${col(first.fk.columns[0], c)} = ${col(first.fk.refColumns[0], a)} JOIN ${quoteIdent(second.parent.name)} ${b} ON ${col(second.fk.columns[0], c)} = ${col(second.fk.refColumns[0], b)} WHERE ${col(cat.name, a)} = ${sqlLiteral(value)}`,
          {
            entity: child.entity,
            parent: first.parent.entity,
            via: first.via,
            label: humanizeColumn(first.parent.label.name),
            other: second.parent.entity,
            otherVia: second.via,
            otherLabel: humanizeColumn(second.parent.label.name),
            groupColumn: humanizeColumn(cat.name),
            value,
            literals: [value],
          },
        ),
      ];
    }),

  subquery_above_average: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      if (p.measures.length === 0) return [];
      const measure = rng.pick(p.measures);
      const shown = labelOrKey(p);
      const m = col(measure.name);
      const select = shown && shown.name !== measure.name ? `${col(shown.name)}, ${m}` : m;
      return [
        draft(
          "subquery_above_average",
          "moderate",
          `SELECT ${select} FROM ${quoteIdent(p.name)} WHERE ${m} > (SELECT avg(${m}) FROM ${quoteIdent(p.name)})`,
          { entity: p.entity, label: shown ? humanizeColumn(shown.name) : undefined, column: humanizeColumn(measure.name), literals: [] },
        ),
      ];
    }),

  in_subquery: (ctx, rng) =>
    listEdges(ctx).flatMap((e) => {
      const shown = labelOrKey(e.parent);
      if (!shown) return [];
      const cat = pickCategory(e.child, rng);
      const fk = col(e.fk.columns[0]);
      const base = `SELECT ${col(shown.name)} FROM ${quoteIdent(e.parent.name)} WHERE ${col(e.fk.refColumns[0])} IN (SELECT ${fk} FROM ${quoteIdent(e.child.name)}`;
      if (!cat) {
        return [draft("in_subquery", "moderate", `${base})`, { entity: e.parent.entity, parent: e.child.entity, via: e.via, label: humanizeColumn(shown.name), literals: [] })];
      }
      const value = pickText(ctx, e.child.name, cat.name, rng);
      if (value === undefined) return [];
      return [
        draft("in_subquery", "moderate", `${base} WHERE ${col(cat.name)} = ${sqlLiteral(value)})`, {
          entity: e.parent.entity,
          parent: e.child.entity,
          via: e.via,
          label: humanizeColumn(shown.name),
          groupColumn: humanizeColumn(cat.name),
          value,
          literals: [value],
        }),
      ];
    }),

  not_exists: (ctx) =>
    listEdges(ctx).map((e) => {
      const used = new Set<string>();
      const p = makeAlias(e.parent.name, used);
      const c = makeAlias(e.child.name, used);
      return draft(
        "not_exists",
        "moderate",
        `SELECT count(*) FROM ${quoteIdent(e.parent.name)} ${p} WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(e.child.name)} ${c} WHERE ${col(e.fk.columns[0], c)} = ${col(e.fk.refColumns[0], p)})`,
        { entity: e.parent.entity, parent: e.child.entity, via: e.via, literals: [] },
      );
    }),

  cte: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const cat = pickCategory(p, rng);
      if (!cat || p.measures.length === 0) return [];
      const measure = rng.pick(p.measures);
      const k = pickK(rng);
      const c = col(cat.name);
      const m = col(measure.name);
      const avgName = quoteIdent(`avg_${measure.name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`);
      return [
        draft(
          "cte",
          "complex",
          `WITH stats AS (SELECT ${c}, avg(${m}) AS ${avgName} FROM ${quoteIdent(p.name)} WHERE ${c} IS NOT NULL AND ${m} IS NOT NULL GROUP BY ${c}) SELECT ${c}, ${avgName} FROM stats ORDER BY ${avgName} DESC, ${c} ASC LIMIT ${k}`,
          { entity: p.entity, groupColumn: humanizeColumn(cat.name), column: humanizeColumn(measure.name), k, literals: [String(k)] },
        ),
      ];
    }),

  multi_cte: (ctx, rng) =>
    listEdges(ctx).flatMap((e) => {
      const label = e.parent.label;
      const cat = pickCategory(e.parent, rng);
      if (!label || !cat) return [];
      const n = countAlias(e.child);
      const c = col(cat.name);
      const l = col(label.name);
      return [
        draft(
          "multi_cte",
          "highly_complex",
          `WITH per_parent AS (SELECT ${col(e.fk.columns[0])} AS parent_key, count(*) AS ${n} FROM ${quoteIdent(e.child.name)} GROUP BY ${col(e.fk.columns[0])}), ` +
            `ranked AS (SELECT p.${c}, p.${l}, pp.${n}, rank() OVER (PARTITION BY p.${c} ORDER BY pp.${n} DESC) AS rnk FROM per_parent pp JOIN ${quoteIdent(e.parent.name)} p ON p.${col(e.fk.refColumns[0])} = pp.parent_key WHERE p.${c} IS NOT NULL) ` +
            `SELECT ${c}, ${l}, ${n} FROM ranked WHERE rnk = 1 ORDER BY ${c} ASC, ${l} ASC, ${n} ASC`,
          { entity: e.child.entity, parent: e.parent.entity, via: e.via, label: humanizeColumn(label.name), groupColumn: humanizeColumn(cat.name), literals: [] },
        ),
      ];
    }),

  window_rank: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const cat = pickCategory(p, rng);
      const shown = labelOrKey(p);
      if (!cat || !shown || p.measures.length === 0) return [];
      const measure = rng.pick(p.measures);
      const c = col(cat.name);
      const m = col(measure.name);
      const outer = [...new Set([c, col(shown.name), m])];
      const inner = [...new Set([...outer, ...(p.key ? [col(p.key.name)] : [])])];
      const order = p.key ? `${c} ASC, ${col(p.key.name)} ASC` : outer.map((o) => `${o} ASC`).join(", ");
      return [
        draft(
          "window_rank",
          "complex",
          `SELECT ${outer.join(", ")} FROM (SELECT ${inner.join(", ")}, rank() OVER (PARTITION BY ${c} ORDER BY ${m} DESC) AS rnk FROM ${quoteIdent(p.name)} WHERE ${c} IS NOT NULL AND ${m} IS NOT NULL) AS ranked WHERE rnk = 1 ORDER BY ${order}`,
          { entity: p.entity, groupColumn: humanizeColumn(cat.name), label: humanizeColumn(shown.name), column: humanizeColumn(measure.name), literals: [] },
        ),
      ];
    }),

  case_bucket: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const measures = p.measures.filter((m) => numericSamples(ctx, p.name, m.name).length >= 3);
      if (measures.length === 0) return [];
      const measure = rng.pick(measures);
      const values = numericSamples(ctx, p.name, measure.name);
      const a = values[Math.floor(values.length / 3)];
      const b = values[Math.floor((values.length * 2) / 3)];
      if (!(a < b)) return [];
      const m = col(measure.name);
      const band = quoteIdent(`${measure.name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_band`);
      return [
        draft(
          "case_bucket",
          "moderate",
          `SELECT CASE WHEN ${m} < ${sqlLiteral(a)} THEN 'low' WHEN ${m} < ${sqlLiteral(b)} THEN 'medium' ELSE 'high' END AS ${band}, count(*) AS ${countAlias(p)} FROM ${quoteIdent(p.name)} WHERE ${m} IS NOT NULL GROUP BY ${band}`,
          {
            entity: p.entity,
            column: humanizeColumn(measure.name),
            buckets: [{ label: "low", below: a }, { label: "medium", below: b }, { label: "high" }],
            literals: ["low", "medium", "high", str(a), str(b)],
          },
        ),
      ];
    }),

  ratio: (ctx, rng) =>
    ctx.profiles.flatMap((p) => {
      const cat = pickCategory(p, rng);
      if (!cat) return [];
      const value = pickText(ctx, p.name, cat.name, rng);
      if (value === undefined) return [];
      return [
        draft(
          "ratio",
          "moderate",
          `SELECT 100.0 * sum(CASE WHEN ${col(cat.name)} = ${sqlLiteral(value)} THEN 1 ELSE 0 END) / count(*) AS percentage FROM ${quoteIdent(p.name)}`,
          { entity: p.entity, groupColumn: humanizeColumn(cat.name), value, literals: [value] },
        ),
      ];
    }),

  set_union: (ctx) => buildSetOperations(ctx, "set_union", "UNION"),
  set_except: (ctx) => buildSetOperations(ctx, "set_except", "EXCEPT"),
  set_intersect: (ctx) => buildSetOperations(ctx, "set_intersect", "INTERSECT"),

  date_filter: (ctx, rng) =>
    ctx.profiles.flatMap((p) =>
      p.dates.slice(0, 1).flatMap((d) => {
        const dates = dateSamples(ctx, p.name, d.name);
        if (dates.length === 0) return [];
        const date = dates[Math.floor(dates.length / 2)];
        const direction = rng.pick(["asc", "desc"] as const);
        const op = direction === "desc" ? ">=" : "<";
        return [
          draft("date_filter", "simple", `SELECT count(*) FROM ${quoteIdent(p.name)} WHERE ${col(d.name)} ${op} DATE ${sqlLiteral(date)}`, {
            entity: p.entity,
            column: humanizeDateColumn(d),
            date,
            direction,
            literals: [date],
          }),
        ];
      }),
    ),

  date_year_filter: (ctx, rng) =>
    ctx.profiles.flatMap((p) =>
      p.dates.slice(0, 1).flatMap((d) => {
        const dates = dateSamples(ctx, p.name, d.name);
        const shown = labelOrKey(p);
        if (dates.length === 0 || !shown) return [];
        const year = Number(rng.pick(dates).slice(0, 4));
        return [
          draft("date_year_filter", "simple", `SELECT ${col(shown.name)} FROM ${quoteIdent(p.name)} WHERE extract(year FROM ${col(d.name)}) = ${year}`, {
            entity: p.entity,
            label: humanizeColumn(shown.name),
            column: humanizeDateColumn(d),
            year,
            literals: [String(year)],
          }),
        ];
      }),
    ),

  date_year_group: (ctx) =>
    ctx.profiles.flatMap((p) =>
      p.dates.slice(0, 1).map((d) => {
        const yearName = quoteIdent(`${d.name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_year`);
        return draft(
          "date_year_group",
          "moderate",
          `SELECT extract(year FROM ${col(d.name)}) AS ${yearName}, count(*) AS ${countAlias(p)} FROM ${quoteIdent(p.name)} WHERE ${col(d.name)} IS NOT NULL GROUP BY ${yearName} ORDER BY ${yearName}`,
          { entity: p.entity, column: humanizeDateColumn(d), literals: [] },
        );
      }),
    ),
};

/** Pairs of tables with a comparable text column (same name or same semantic type: country, city...). */
function buildSetOperations(ctx: Ctx, shape: QueryShape, op: "UNION" | "EXCEPT" | "INTERSECT"): QueryDraft[] {
  const drafts: QueryDraft[] = [];
  // Only values of the same kind are worth combining: countries with countries, cities with cities.
  const comparable = (c: ColumnModel) => ["country", "city", "category"].includes(c.semanticType);
  for (let i = 0; i < ctx.profiles.length; i++) {
    for (let j = 0; j < ctx.profiles.length; j++) {
      if (i === j || (op !== "EXCEPT" && j < i)) continue;
      const a = ctx.profiles[i];
      const b = ctx.profiles[j];
      for (const ca of a.categories.filter(comparable)) {
        const cb = b.categories.find((c) => c.semanticType === ca.semanticType && (ca.semanticType !== "category" || c.name === ca.name));
        if (!cb) continue;
        drafts.push(
          draft(
            shape,
            "complex",
            `SELECT ${col(ca.name)} FROM ${quoteIdent(a.name)} WHERE ${col(ca.name)} IS NOT NULL ${op} SELECT ${col(cb.name)} FROM ${quoteIdent(b.name)} WHERE ${col(cb.name)} IS NOT NULL`,
            { entity: a.entity, groupColumn: humanizeColumn(ca.name), other: b.entity, literals: [] },
          ),
        );
        break;
      }
    }
  }
  return drafts;
}

/**
 * Template queries over the whole schema, one per shape and table (or foreign key), with values
 * taken from `samples`. Shapes are interleaved so a small `max` still covers every shape; the same
 * inputs always give the same drafts, deduplicated by SQL text.
 */
export function generateTemplateQueries(model: SchemaModel, samples: ValueSamples, opts: { seed: number; max?: number }): QueryDraft[] {
  const base = { model, samples, seed: opts.seed };
  const profiles = model.tables.map((t) => profileTable(t, base));
  const ctx: Ctx = { ...base, profiles, byName: new Map(profiles.map((p) => [p.name.toLowerCase(), p])) };
  const perShape = QUERY_SHAPES.map((shape) => builders[shape](ctx, createRng(deriveSeed(opts.seed, shape))));
  const seen = new Set<string>();
  const out: QueryDraft[] = [];
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  for (let round = 0; out.length < max; round++) {
    let added = false;
    for (const drafts of perShape) {
      const d = drafts[round];
      if (!d) continue;
      added = true;
      if (seen.has(d.sql)) continue;
      seen.add(d.sql);
      out.push(d);
      if (out.length >= max) break;
    }
    if (!added) break;
  }
  return out;
}
