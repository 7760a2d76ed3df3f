// Aggregation, grouping and ranking shapes over one table. Every LIMIT follows an ORDER BY that
// ends in a unique key or covers every output column, so no tie can fall across the cut.
import type { QueryShape } from "@/lib/queries/shapes";
import type { AggregateName } from "@/lib/questions/seed";
import {
  aggregatesFor, bestCategories, choose, col, countAlias, draft, equalityPredicates, humanizeColumn, labelOrKey, labelWords,
  numericPredicates, numericSamples, pairs, quoteIdent, sqlLiteral, stem, str, tbl, type Predicate, type ShapeBuilder,
} from "@/lib/queries/builders/context";

const K_VALUES = [3, 5, 10];
const DIRECTIONS = ["desc", "asc"] as const;

function aggAlias(agg: AggregateName, column: string): string {
  return quoteIdent(`${agg}_${stem(column)}`);
}

export const aggregationBuilders = {
  count_rows: (ctx) => ctx.profiles.map((p) => [draft("count_rows", `SELECT count(*) FROM ${tbl(p)}`, { entity: p.entity, literals: [] })]),

  count_distinct: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const fkColumns = p.foreignKeys.map((fk) => p.table.columns.find((c) => c.name === fk.columns[0])!).filter(Boolean);
      const counted = [...new Set([...p.categories, ...fkColumns])];
      const filters: (Predicate | null)[] = [null, ...choose(rng, equalityPredicates(ctx, p), 3)];
      const options = pairs(counted, filters).filter(([c, f]) => !f || f.column.name !== c.name);
      return choose(rng, options).map(([c, f]) =>
        draft("count_distinct", `SELECT count(DISTINCT ${col(c.name)}) FROM ${tbl(p)}${f ? ` WHERE ${f.sql}` : ""}`, {
          entity: p.entity,
          column: humanizeColumn(c.name),
          conditions: f ? [f.words] : undefined,
          literals: f ? f.literals : [],
        }),
      );
    }),

  aggregate: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const filters: (Predicate | null)[] = [null, ...choose(rng, equalityPredicates(ctx, p), 3)];
      const options = p.measures.flatMap((m) => pairs(aggregatesFor(m), filters).map(([agg, f]) => ({ m, agg, f })));
      return choose(rng, options).map(({ m, agg, f }) =>
        draft("aggregate", `SELECT ${agg}(${col(m.name)}) FROM ${tbl(p)}${f ? ` WHERE ${f.sql}` : ""}`, {
          entity: p.entity,
          column: humanizeColumn(m.name),
          agg,
          groupColumn: f?.words.column,
          value: f?.words.value,
          literals: f ? f.literals : [],
        }),
      );
    }),

  min_max: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const filters: (Predicate | null)[] = [null, ...choose(rng, equalityPredicates(ctx, p), 2)];
      const sets: AggregateName[][] = [["min", "max"], ["min", "max", "avg"]];
      const options = p.measures.flatMap((m) => pairs(sets, filters).map(([aggs, f]) => ({ m, aggs, f })));
      return choose(rng, options).map(({ m, aggs, f }) =>
        draft("min_max", `SELECT ${aggs.map((a) => `${a}(${col(m.name)}) AS ${aggAlias(a, m.name)}`).join(", ")} FROM ${tbl(p)}${f ? ` WHERE ${f.sql}` : ""}`, {
          entity: p.entity,
          column: humanizeColumn(m.name),
          aggs,
          conditions: f ? [f.words] : undefined,
          literals: f ? f.literals : [],
        }),
      );
    }),

  group_count: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const filters: (Predicate | null)[] = [null, ...choose(rng, [...equalityPredicates(ctx, p), ...numericPredicates(ctx, p)], 3)];
      const options = pairs(bestCategories(p), filters).filter(([c, f]) => !f || f.column.name !== c.name);
      return choose(rng, options).map(([c, f]) => {
        const g = col(c.name);
        return draft("group_count", `SELECT ${g}, count(*) AS ${countAlias(p)} FROM ${tbl(p)} WHERE ${g} IS NOT NULL${f ? ` AND ${f.sql}` : ""} GROUP BY ${g}`, {
          entity: p.entity,
          groupColumn: humanizeColumn(c.name),
          conditions: f ? [f.words] : undefined,
          literals: f ? f.literals : [],
        });
      });
    }),

  group_aggregate: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = pairs(bestCategories(p), p.measures).flatMap(([c, m]) => aggregatesFor(m).map((agg) => ({ c, m, agg })));
      return choose(rng, options).map(({ c, m, agg }) => {
        const g = col(c.name);
        return draft("group_aggregate", `SELECT ${g}, ${agg}(${col(m.name)}) AS ${aggAlias(agg, m.name)} FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g}`, {
          entity: p.entity,
          groupColumn: humanizeColumn(c.name),
          column: humanizeColumn(m.name),
          agg,
          literals: [],
        });
      });
    }),

  group_having: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const byCount = bestCategories(p).flatMap((c) => [1, 2, 5, 10].map((threshold) => ({ c, threshold, m: undefined, agg: undefined, value: undefined })));
      const byAggregate = pairs(bestCategories(p), p.measures).flatMap(([c, m]) => {
        const values = numericSamples(ctx, p.name, m.name);
        if (values.length === 0) return [];
        const value = values[Math.floor(values.length / 2)];
        return (["avg", "max"] as const).map((agg) => ({ c, threshold: undefined, m, agg, value }));
      });
      return [...choose(rng, byCount, 2), ...choose(rng, byAggregate, 1)].map(({ c, threshold, m, agg, value }) => {
        const g = col(c.name);
        if (m && agg && value !== undefined) {
          const a = `${agg}(${col(m.name)})`;
          return draft("group_having", `SELECT ${g}, ${a} AS ${aggAlias(agg, m.name)} FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g} HAVING ${a} > ${sqlLiteral(value)}`, {
            entity: p.entity,
            groupColumn: humanizeColumn(c.name),
            column: humanizeColumn(m.name),
            agg,
            value,
            literals: [str(value)],
          });
        }
        const n = countAlias(p);
        return draft("group_having", `SELECT ${g}, count(*) AS ${n} FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g} HAVING count(*) > ${threshold}`, {
          entity: p.entity,
          groupColumn: humanizeColumn(c.name),
          threshold,
          literals: [String(threshold)],
        });
      });
    }),

  multi_aggregate_group: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const sets: AggregateName[][] = [["avg", "max"], ["min", "max"], ["avg", "sum"]];
      const options = pairs(bestCategories(p), p.measures).flatMap(([c, m]) =>
        sets.filter((aggs) => aggs.every((a) => aggregatesFor(m).includes(a))).map((aggs) => ({ c, m, aggs })),
      );
      return choose(rng, options).map(({ c, m, aggs }) => {
        const g = col(c.name);
        const measured = aggs.map((a) => `${a}(${col(m.name)}) AS ${aggAlias(a, m.name)}`).join(", ");
        return draft("multi_aggregate_group", `SELECT ${g}, count(*) AS ${countAlias(p)}, ${measured} FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g}`, {
          entity: p.entity,
          groupColumn: humanizeColumn(c.name),
          column: humanizeColumn(m.name),
          aggs,
          literals: [],
        });
      });
    }),

  top_k: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const filters: (Predicate | null)[] = [null, null, ...choose(rng, equalityPredicates(ctx, p), 2)];
      const options = p.measures.flatMap((m) => pairs(DIRECTIONS, filters).map(([direction, f]) => ({ m, direction, f, k: rng.pick(K_VALUES) })));
      return choose(rng, options).map(({ m, direction, f, k }) => {
        const mc = col(m.name);
        const select = shown && shown.name !== m.name ? [col(shown.name), mc] : [mc];
        // The key makes the order total; without one, ordering by every output column does.
        const tiebreak = p.key ? [col(p.key.name)] : select.filter((s) => s !== mc);
        const order = [`${mc} ${direction.toUpperCase()}`, ...tiebreak.map((t) => `${t} ASC`)].join(", ");
        return draft("top_k", `SELECT ${select.join(", ")} FROM ${tbl(p)} WHERE ${mc} IS NOT NULL${f ? ` AND ${f.sql}` : ""} ORDER BY ${order} LIMIT ${k}`, {
          entity: p.entity,
          label: shown && shown.name !== m.name ? labelWords(shown) : undefined,
          column: humanizeColumn(m.name),
          k,
          direction,
          conditions: f ? [f.words] : undefined,
          literals: [String(k), ...(f ? f.literals : [])],
        });
      });
    }),

  group_count_top: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = pairs(bestCategories(p), DIRECTIONS).map(([c, direction]) => ({ c, direction, k: rng.pick(K_VALUES) }));
      return choose(rng, options).map(({ c, direction, k }) => {
        const n = countAlias(p);
        const g = col(c.name);
        return draft(
          "group_count_top",
          `SELECT ${g}, count(*) AS ${n} FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g} ORDER BY ${n} ${direction.toUpperCase()}, ${g} ASC LIMIT ${k}`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), k, direction, literals: [String(k)] },
        );
      });
    }),

  group_aggregate_top: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = pairs(bestCategories(p), p.measures).flatMap(([c, m]) =>
        pairs(aggregatesFor(m), DIRECTIONS).map(([agg, direction]) => ({ c, m, agg, direction, k: rng.pick(K_VALUES) })),
      );
      return choose(rng, options).map(({ c, m, agg, direction, k }) => {
        const g = col(c.name);
        const a = aggAlias(agg, m.name);
        return draft(
          "group_aggregate_top",
          `SELECT ${g}, ${agg}(${col(m.name)}) AS ${a} FROM ${tbl(p)} WHERE ${g} IS NOT NULL AND ${col(m.name)} IS NOT NULL GROUP BY ${g} ORDER BY ${a} ${direction.toUpperCase()}, ${g} ASC LIMIT ${k}`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), column: humanizeColumn(m.name), agg, k, direction, literals: [String(k)] },
        );
      });
    }),
} satisfies Partial<Record<QueryShape, ShapeBuilder>>;
