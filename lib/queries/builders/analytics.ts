// Window, date, conditional (CASE) and ratio shapes.
import type { ColumnModel } from "@/lib/schema/model";
import type { QueryShape } from "@/lib/queries/shapes";
import {
  aggregatesFor, asDate, bestCategories, choose, col, countAlias, dateSamples, draft, equalityPredicates, humanizeColumn, labelWords,
  humanizeDateColumn, labelOrKey, preferContinuous, numericPredicates, numericSamples, pairs, quoteIdent, sqlLiteral, stem, str, tbl,
  type Predicate, type ShapeBuilder, type TableProfile,
} from "@/lib/queries/builders/context";

/** An alias from a value when it reads as one ("shipped" → shipped_count), else a generic one. */
function conditionAlias(pred: Predicate, suffix: string): string {
  const base = pred.words.op === "=" ? String(pred.value).toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") : `${stem(pred.column.name)}_${pred.words.op === ">" ? "above" : "below"}`;
  return quoteIdent(/^[a-z][a-z0-9_]{0,30}$/.test(base) ? `${base}_${suffix}` : `matching_${suffix}`);
}

/** Conditions on a table other than on its column `exclude`: equalities first, then comparisons of numbers. */
function conditionsBesides(ctx: Parameters<ShapeBuilder>[0], p: TableProfile, exclude: ColumnModel): Predicate[] {
  return [...equalityPredicates(ctx, p), ...numericPredicates(ctx, p)].filter((x) => x.column.name !== exclude.name);
}

export const analyticsBuilders = {
  window_rank: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      if (!shown) return [];
      const options = pairs(bestCategories(p), preferContinuous(ctx, p)).flatMap(([c, m]) => (["desc", "asc"] as const).map((direction) => ({ c, m, direction })));
      return choose(rng, options, 2).map(({ c, m, direction }) => {
        const g = col(c.name);
        const mc = col(m.name);
        const outer = [...new Set([g, col(shown.name), mc])];
        const inner = [...new Set([...outer, ...(p.key ? [col(p.key.name)] : [])])];
        const order = p.key ? `${g} ASC, ${col(p.key.name)} ASC` : outer.map((o) => `${o} ASC`).join(", ");
        return draft(
          "window_rank",
          `SELECT ${outer.join(", ")} FROM (SELECT ${inner.join(", ")}, rank() OVER (PARTITION BY ${g} ORDER BY ${mc} ${direction.toUpperCase()}) AS rnk FROM ${tbl(p)} WHERE ${g} IS NOT NULL AND ${mc} IS NOT NULL) AS ranked WHERE rnk = 1 ORDER BY ${order}`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), label: labelWords(shown), column: humanizeColumn(m.name), direction, literals: [] },
        );
      });
    }),

  window_dense_rank: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      if (!shown) return [];
      const options = pairs(preferContinuous(ctx, p, p.measures.filter((m) => m.name !== shown.name)), equalityPredicates(ctx, p, { selective: true })).flatMap(([m, f]) =>
        (["desc", "asc"] as const).map((direction) => ({ m, f, direction })),
      );
      return choose(rng, options, 2).map(({ m, f, direction }) => {
        const mc = col(m.name);
        const r = quoteIdent(`${stem(m.name)}_rank`);
        const order = p.key ? `${r} ASC, ${col(p.key.name)} ASC` : `${r} ASC, ${col(shown.name)} ASC, ${mc} ASC`;
        return draft(
          "window_dense_rank",
          `SELECT ${col(shown.name)}, ${mc}, dense_rank() OVER (ORDER BY ${mc} ${direction.toUpperCase()}) AS ${r} FROM ${tbl(p)} WHERE ${f.sql} AND ${mc} IS NOT NULL ORDER BY ${order}`,
          {
            entity: p.entity,
            label: labelWords(shown),
            column: humanizeColumn(m.name),
            direction,
            groupColumn: f.words.column,
            value: f.words.value,
            literals: f.literals,
          },
        );
      });
    }),

  window_running_total: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const key = p.key;
      if (!shown || !key) return [];
      const orders: (ColumnModel | null)[] = [null, ...p.dates];
      const options = pairs(p.measures.filter((m) => m.name !== shown.name && aggregatesFor(m).includes("sum")), orders).flatMap(([m, d]) => equalityPredicates(ctx, p, { selective: true }).map((f) => ({ m, d, f })));
      return choose(rng, options, 2).map(({ m, d, f }) => {
        const mc = col(m.name);
        const order = d ? `${col(d.name)}, ${col(key.name)}` : col(key.name);
        const select = [col(shown.name), ...(d ? [col(d.name)] : []), mc].join(", ");
        return draft(
          "window_running_total",
          `SELECT ${select}, sum(${mc}) OVER (ORDER BY ${order}) AS ${quoteIdent(`running_${stem(m.name)}`)} FROM ${tbl(p)} WHERE ${f.sql}${d ? ` AND ${col(d.name)} IS NOT NULL` : ""} ORDER BY ${order}`,
          {
            entity: p.entity,
            label: labelWords(shown),
            column: humanizeColumn(m.name),
            orderColumn: d ? `${humanizeDateColumn(d)} (then ${labelWords(key)})` : labelWords(key),
            groupColumn: f.words.column,
            value: f.words.value,
            literals: f.literals,
          },
        );
      });
    }),

  window_share: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const measures: (ColumnModel | null)[] = [null, ...p.measures.filter((m) => aggregatesFor(m).includes("sum"))];
      return choose(rng, pairs(bestCategories(p), measures), 2).map(([c, m]) => {
        const g = col(c.name);
        const value = m ? quoteIdent(`total_${stem(m.name)}`) : countAlias(p);
        const expr = m ? `sum(${col(m.name)})` : "count(*)";
        return draft(
          "window_share",
          `SELECT ${g}, ${expr} AS ${value}, 100.0 * ${expr} / sum(${expr}) OVER () AS percentage FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g}`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), column: m ? humanizeColumn(m.name) : undefined, literals: [] },
        );
      });
    }),

  date_filter: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = p.dates.flatMap((d) => {
        const dates = dateSamples(ctx, p.name, d.name);
        return pairs(dates.length > 0 ? [dates[Math.floor(dates.length / 2)], dates[0], dates[dates.length - 1]] : [], ["asc", "desc"] as const).map(([date, direction]) => ({
          d,
          date,
          direction,
        }));
      });
      return choose(rng, options).map(({ d, date, direction }) =>
        draft("date_filter", `SELECT count(*) FROM ${tbl(p)} WHERE ${col(d.name)} ${direction === "desc" ? ">=" : "<"} DATE ${sqlLiteral(date)}`, {
          entity: p.entity,
          column: humanizeDateColumn(d),
          date,
          direction,
          literals: [date],
        }),
      );
    }),

  date_range: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const options = p.dates.flatMap((d) => {
        const dates = dateSamples(ctx, p.name, d.name);
        const ranges = dates.slice(0, -1).map((date, i) => [date, dates[Math.min(dates.length - 1, i + 2)]] as const);
        return pairs(ranges, shown ? (["list", "count"] as const) : (["count"] as const)).map(([[from, to], output]) => ({ d, from, to, output }));
      });
      return choose(rng, options).map(({ d, from, to, output }) => {
        const select = output === "list" && shown ? `${col(shown.name)}, ${col(d.name)}` : "count(*)";
        return draft("date_range", `SELECT ${select} FROM ${tbl(p)} WHERE ${asDate(d)} BETWEEN DATE ${sqlLiteral(from)} AND DATE ${sqlLiteral(to)}`, {
          entity: p.entity,
          label: output === "list" && shown ? labelWords(shown) : undefined,
          column: humanizeDateColumn(d),
          date: from,
          endDate: to,
          literals: [from, to],
        });
      });
    }),

  date_year_filter: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      if (!shown) return [];
      const options = p.dates.flatMap((d) => [...new Set(dateSamples(ctx, p.name, d.name).map((x) => Number(x.slice(0, 4))))].map((year) => ({ d, year })));
      return choose(rng, options).map(({ d, year }) =>
        draft("date_year_filter", `SELECT ${col(shown.name)} FROM ${tbl(p)} WHERE extract(year FROM ${col(d.name)}) = ${year}`, {
          entity: p.entity,
          label: labelWords(shown),
          column: humanizeDateColumn(d),
          year,
          literals: [String(year)],
        }),
      );
    }),

  date_year_group: (ctx) =>
    ctx.profiles.map((p) =>
      p.dates.map((d) => {
        const yearName = quoteIdent(`${stem(d.name)}_year`);
        return draft(
          "date_year_group",
          `SELECT extract(year FROM ${col(d.name)}) AS ${yearName}, count(*) AS ${countAlias(p)} FROM ${tbl(p)} WHERE ${col(d.name)} IS NOT NULL GROUP BY ${yearName} ORDER BY ${yearName}`,
          { entity: p.entity, column: humanizeDateColumn(d), literals: [] },
        );
      }),
    ),

  date_bucket: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const measures: (ColumnModel | null)[] = [null, ...p.measures.filter((m) => aggregatesFor(m).includes("sum"))];
      // Per date column: years over the whole range, and months within a few sampled years.
      const options = p.dates.flatMap((d) => {
        const years = [...new Set(dateSamples(ctx, p.name, d.name).map((x) => Number(x.slice(0, 4))))];
        const byYear = { d, unit: "year" as const, year: undefined, m: rng.pick(measures) };
        const byMonth = choose(rng, pairs(years, measures), 2).map(([year, m]) => ({ d, unit: "month" as const, year, m }));
        return [byYear, ...byMonth];
      });
      return options.map(({ d, unit, year, m }) => {
        const bucket = quoteIdent(`${stem(d.name)}_${unit}`);
        const value = m ? `sum(${col(m.name)}) AS ${quoteIdent(`total_${stem(m.name)}`)}` : `count(*) AS ${countAlias(p)}`;
        const where = year !== undefined ? `extract(year FROM ${col(d.name)}) = ${year}` : `${col(d.name)} IS NOT NULL`;
        return draft(
          "date_bucket",
          `SELECT date_trunc(${sqlLiteral(unit)}, ${col(d.name)}) AS ${bucket}, ${value} FROM ${tbl(p)} WHERE ${where} GROUP BY ${bucket} ORDER BY ${bucket}`,
          {
            entity: p.entity,
            column: humanizeDateColumn(d),
            unit,
            year,
            measure: m ? humanizeColumn(m.name) : undefined,
            // The unit is part of the structure (the template keeps it), not a value to state.
            literals: year !== undefined ? [String(year)] : [],
          },
        );
      });
    }),

  case_bucket: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = p.measures.flatMap((m) => {
        const values = numericSamples(ctx, p.name, m.name);
        if (values.length < 3) return [];
        const a = values[Math.floor(values.length / 3)];
        const b = values[Math.floor((values.length * 2) / 3)];
        return a < b ? [{ m, a, b }] : [];
      });
      return choose(rng, options).map(({ m, a, b }) => {
        const mc = col(m.name);
        const band = quoteIdent(`${stem(m.name)}_band`);
        return draft(
          "case_bucket",
          `SELECT CASE WHEN ${mc} < ${sqlLiteral(a)} THEN 'low' WHEN ${mc} < ${sqlLiteral(b)} THEN 'medium' ELSE 'high' END AS ${band}, count(*) AS ${countAlias(p)} FROM ${tbl(p)} WHERE ${mc} IS NOT NULL GROUP BY ${band}`,
          {
            entity: p.entity,
            column: humanizeColumn(m.name),
            buckets: [{ label: "low", below: a }, { label: "medium", below: b }, { label: "high" }],
            literals: ["low", "medium", "high", str(a), str(b)],
          },
        );
      });
    }),

  case_label: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      if (!shown) return [];
      const options = p.measures
        .filter((m) => m.name !== shown.name)
        .flatMap((m) => {
          const values = numericSamples(ctx, p.name, m.name);
          if (values.length < 2) return [];
          const threshold = values[Math.floor(values.length / 2)];
          return equalityPredicates(ctx, p, { selective: true }).map((f) => ({ m, threshold, f }));
        });
      return choose(rng, options, 2).map(({ m, threshold, f }) => {
        const mc = col(m.name);
        return draft(
          "case_label",
          `SELECT ${col(shown.name)}, ${mc}, CASE WHEN ${mc} >= ${sqlLiteral(threshold)} THEN 'high' ELSE 'low' END AS ${quoteIdent(`${stem(m.name)}_level`)} FROM ${tbl(p)} WHERE ${f.sql} AND ${mc} IS NOT NULL`,
          {
            entity: p.entity,
            label: labelWords(shown),
            column: humanizeColumn(m.name),
            buckets: [{ label: "low", below: threshold }, { label: "high" }],
            groupColumn: f.words.column,
            value: f.words.value,
            literals: ["high", "low", str(threshold), ...f.literals],
          },
        );
      });
    }),

  case_pivot: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = bestCategories(p).flatMap((c) => conditionsBesides(ctx, p, c).map((f) => ({ c, f })));
      return choose(rng, options).map(({ c, f }) => {
        const g = col(c.name);
        return draft(
          "case_pivot",
          `SELECT ${g}, sum(CASE WHEN ${f.sql} THEN 1 ELSE 0 END) AS ${conditionAlias(f, "count")} FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g}`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), conditions: [f.words], literals: f.literals },
        );
      });
    }),

  ratio: (ctx, rng) =>
    ctx.profiles.map((p) =>
      choose(rng, equalityPredicates(ctx, p)).map((f) =>
        draft("ratio", `SELECT 100.0 * sum(CASE WHEN ${f.sql} THEN 1 ELSE 0 END) / count(*) AS percentage FROM ${tbl(p)}`, {
          entity: p.entity,
          groupColumn: f.words.column,
          value: f.words.value,
          literals: f.literals,
        }),
      ),
    ),

  ratio_per_group: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = bestCategories(p).flatMap((c) => conditionsBesides(ctx, p, c).map((f) => ({ c, f })));
      return choose(rng, options).map(({ c, f }) => {
        const g = col(c.name);
        return draft(
          "ratio_per_group",
          `SELECT ${g}, 100.0 * sum(CASE WHEN ${f.sql} THEN 1 ELSE 0 END) / count(*) AS percentage FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g}`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), conditions: [f.words], literals: f.literals },
        );
      });
    }),

  ratio_of_sums: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = pairs(
        p.measures.filter((m) => aggregatesFor(m).includes("sum")),
        equalityPredicates(ctx, p),
      );
      return choose(rng, options).map(([m, f]) => {
        const mc = col(m.name);
        return draft("ratio_of_sums", `SELECT 100.0 * sum(CASE WHEN ${f.sql} THEN ${mc} ELSE 0 END) / sum(${mc}) AS percentage FROM ${tbl(p)}`, {
          entity: p.entity,
          column: humanizeColumn(m.name),
          groupColumn: f.words.column,
          value: f.words.value,
          literals: f.literals,
        });
      });
    }),
} satisfies Partial<Record<QueryShape, ShapeBuilder>>;
