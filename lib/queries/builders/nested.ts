// Subquery, set-operation and CTE shapes.
import type { ColumnModel } from "@/lib/schema/model";
import type { QueryShape } from "@/lib/queries/shapes";
import type { AggregateName } from "@/lib/questions/seed";
import {
  aggregatesFor, bestCategories, choose, col, countAlias, draft, equalityPredicates, humanizeColumn, labelWords, joinOn, labelOrKey,
  makeAlias, numericPredicates, preferContinuous, pairs, quoteIdent, sqlLiteral, stem, tbl, textSamples, type Ctx,
  type Predicate, type QueryDraft, type ShapeBuilder, type TableProfile,
} from "@/lib/queries/builders/context";

const K_VALUES = [3, 5, 10];

/** Same-kind text columns of two tables, worth combining with a set operation (countries with countries). */
function comparablePairs(ctx: Ctx, symmetric: boolean): { a: TableProfile; b: TableProfile; ca: ColumnModel; cb: ColumnModel }[] {
  const out: { a: TableProfile; b: TableProfile; ca: ColumnModel; cb: ColumnModel }[] = [];
  const comparable = (c: ColumnModel) => ["country", "city", "category"].includes(c.semanticType);
  for (let i = 0; i < ctx.profiles.length; i++) {
    for (let j = 0; j < ctx.profiles.length; j++) {
      if (i === j || (symmetric && j < i)) continue;
      const a = ctx.profiles[i];
      const b = ctx.profiles[j];
      for (const ca of a.categories.filter(comparable)) {
        const cb = b.categories.find((c) => c.semanticType === ca.semanticType && (ca.semanticType !== "category" || c.name === ca.name));
        if (cb) out.push({ a, b, ca, cb });
      }
    }
  }
  return out;
}

function buildSetOperations(ctx: Ctx, shape: QueryShape, op: "UNION" | "EXCEPT" | "INTERSECT", rng: Parameters<ShapeBuilder>[1]): QueryDraft[][] {
  // Across tables: the values of one kind that two tables hold.
  const across = comparablePairs(ctx, op !== "EXCEPT").map(({ a, b, ca, cb }) => [
    draft(
      shape,
      `SELECT ${col(ca.name)} FROM ${tbl(a)} WHERE ${col(ca.name)} IS NOT NULL ${op} SELECT ${col(cb.name)} FROM ${tbl(b)} WHERE ${col(cb.name)} IS NOT NULL`,
      { entity: a.entity, groupColumn: humanizeColumn(ca.name), other: b.entity, literals: [] },
    ),
  ]);
  // Within a table: the rows two predicates pick, combined.
  const within = ctx.profiles.map((p) => {
    const shown = labelOrKey(p);
    if (!shown) return [];
    const equalities = equalityPredicates(ctx, p, { selective: true });
    const options = pairs(equalities, [...equalities, ...numericPredicates(ctx, p)]).filter(
      ([x, y]) => x !== y && (op === "UNION" ? x.sql !== y.sql : x.column.name !== y.column.name),
    );
    return choose(rng, options, 2).map(([x, y]: [Predicate, Predicate]) => {
      const s = col(shown.name);
      return draft(shape, `SELECT ${s} FROM ${tbl(p)} WHERE ${x.sql} ${op} SELECT ${s} FROM ${tbl(p)} WHERE ${y.sql}`, {
        entity: p.entity,
        label: labelWords(shown),
        conditions: [x.words, y.words],
        literals: [...x.literals, ...y.literals],
      });
    });
  });
  return [...across, ...within];
}

export const nestedBuilders = {
  subquery_above_average: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const options = pairs(preferContinuous(ctx, p), ["desc", "asc"] as const);
      return choose(rng, options, 2).map(([m, direction]) => {
        const mc = col(m.name);
        const select = shown && shown.name !== m.name ? `${col(shown.name)}, ${mc}` : mc;
        return draft("subquery_above_average", `SELECT ${select} FROM ${tbl(p)} WHERE ${mc} ${direction === "desc" ? ">" : "<"} (SELECT avg(${mc}) FROM ${tbl(p)})`, {
          entity: p.entity,
          label: shown && shown.name !== m.name ? labelWords(shown) : undefined,
          column: humanizeColumn(m.name),
          direction,
          literals: [],
        });
      });
    }),

  subquery_extreme: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const options = pairs(preferContinuous(ctx, p), ["max", "min"] as const);
      return choose(rng, options, 2).map(([m, agg]) => {
        const mc = col(m.name);
        const select = shown && shown.name !== m.name ? `${col(shown.name)}, ${mc}` : mc;
        return draft("subquery_extreme", `SELECT ${select} FROM ${tbl(p)} WHERE ${mc} = (SELECT ${agg}(${mc}) FROM ${tbl(p)})`, {
          entity: p.entity,
          label: shown && shown.name !== m.name ? labelWords(shown) : undefined,
          column: humanizeColumn(m.name),
          agg,
          literals: [],
        });
      });
    }),

  in_subquery: (ctx, rng) =>
    ctx.edges.map((e) => {
      const shown = labelOrKey(e.parent);
      if (!shown) return [];
      const fk = col(e.fk.columns[0]);
      const base = `SELECT ${col(shown.name)} FROM ${tbl(e.parent)} WHERE ${col(e.fk.refColumns[0])} IN (SELECT ${fk} FROM ${tbl(e.child)}`;
      // A filter on the foreign key itself would only restate which parent is meant.
      const filters = equalityPredicates(ctx, e.child, { exclude: e.fk.columns[0], selective: true });
      const seed = { entity: e.parent.entity, parent: e.child.entity, via: e.via, label: labelWords(shown) };
      if (filters.length === 0) return [draft("in_subquery", `${base})`, { ...seed, literals: [] })];
      return choose(rng, filters).map((f) =>
        draft("in_subquery", `${base} WHERE ${f.sql})`, { ...seed, groupColumn: f.words.column, value: f.words.value, literals: f.literals }),
      );
    }),

  exists_subquery: (ctx, rng) =>
    ctx.edges.map((e) => {
      const shown = labelOrKey(e.parent);
      if (!shown) return [];
      const used = new Set<string>();
      const p = makeAlias(e.parent.name, used);
      const c = makeAlias(e.child === e.parent ? `${e.child.name} child` : e.child.name, used);
      const filters = [...equalityPredicates(ctx, e.child, { alias: c, exclude: e.fk.columns[0], selective: true }), ...numericPredicates(ctx, e.child, { alias: c })];
      return choose(rng, filters, 2).map((f) =>
        draft(
          "exists_subquery",
          `SELECT ${col(shown.name, p)} FROM ${tbl(e.parent)} ${p} WHERE EXISTS (SELECT 1 FROM ${tbl(e.child)} ${c} WHERE ${joinOn(e, c, p)} AND ${f.sql})`,
          { entity: e.parent.entity, parent: e.child.entity, via: e.via, label: labelWords(shown), conditions: [f.words], literals: f.literals },
        ),
      );
    }),

  not_exists: (ctx, rng) =>
    ctx.edges.map((e) => {
      const used = new Set<string>();
      const p = makeAlias(e.parent.name, used);
      const c = makeAlias(e.child === e.parent ? `${e.child.name} child` : e.child.name, used);
      const shown = labelOrKey(e.parent);
      const where = `WHERE NOT EXISTS (SELECT 1 FROM ${tbl(e.child)} ${c} WHERE ${joinOn(e, c, p)})`;
      const seed = { entity: e.parent.entity, parent: e.child.entity, via: e.via };
      const drafts = [draft("not_exists", `SELECT count(*) FROM ${tbl(e.parent)} ${p} ${where}`, { ...seed, literals: [] })];
      if (shown) drafts.push(draft("not_exists", `SELECT ${col(shown.name, p)} FROM ${tbl(e.parent)} ${p} ${where}`, { ...seed, label: labelWords(shown), literals: [] }));
      return rng.next() < 0.5 ? drafts : drafts.reverse();
    }),

  correlated_subquery: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const used = new Set<string>();
      const a = makeAlias(p.name, used);
      const b = makeAlias(`${p.name} peer`, used);
      const options = pairs(bestCategories(p), preferContinuous(ctx, p)).flatMap(([c, m]) => (["max", "min", "avg"] as const).map((agg) => ({ c, m, agg })));
      return choose(rng, options, 2).flatMap(({ c, m, agg }) => {
        const same = `${col(c.name, b)} = ${col(c.name, a)}`;
        const seed = { entity: p.entity, groupColumn: humanizeColumn(c.name), column: humanizeColumn(m.name), agg };
        if (agg === "avg") {
          return [
            draft("correlated_subquery", `SELECT count(*) FROM ${tbl(p)} ${a} WHERE ${col(m.name, a)} > (SELECT avg(${col(m.name, b)}) FROM ${tbl(p)} ${b} WHERE ${same})`, {
              ...seed,
              literals: [],
            }),
          ];
        }
        if (!shown || shown.name === m.name) return [];
        return [
          draft(
            "correlated_subquery",
            `SELECT ${col(c.name, a)}, ${col(shown.name, a)}, ${col(m.name, a)} FROM ${tbl(p)} ${a} WHERE ${col(m.name, a)} = (SELECT ${agg}(${col(m.name, b)}) FROM ${tbl(p)} ${b} WHERE ${same})`,
            { ...seed, label: labelWords(shown), literals: [] },
          ),
        ];
      });
    }),

  scalar_subquery_select: (ctx, rng) =>
    ctx.edges.map((e) => {
      const shown = labelOrKey(e.parent);
      if (!shown) return [];
      const used = new Set<string>();
      const p = makeAlias(e.parent.name, used);
      const c = makeAlias(e.child === e.parent ? `${e.child.name} child` : e.child.name, used);
      const filters = equalityPredicates(ctx, e.parent, { alias: p, selective: true });
      const n = countAlias(e.child);
      const select = `SELECT ${col(shown.name, p)}, (SELECT count(*) FROM ${tbl(e.child)} ${c} WHERE ${joinOn(e, c, p)}) AS ${n} FROM ${tbl(e.parent)} ${p}`;
      return choose(rng, filters, 2).map((f) =>
        draft("scalar_subquery_select", `${select} WHERE ${f.sql}`, {
          entity: e.parent.entity,
          parent: e.child.entity,
          via: e.via,
          label: labelWords(shown),
          groupColumn: f.words.column,
          value: f.words.value,
          literals: f.literals,
        }),
      );
    }),

  derived_table: (ctx, rng) => {
    const aggs: AggregateName[] = ["avg", "max", "min"];
    const perParent = ctx.edges.map((e) =>
      choose(rng, aggs, 1).map((agg) => {
        const fk = col(e.fk.columns[0]);
        const n = countAlias(e.child);
        return draft(
          "derived_table",
          `SELECT ${agg}(${n}) AS ${quoteIdent(`${agg}_${stem(n.replace(/"/g, ""))}`)} FROM (SELECT ${fk}, count(*) AS ${n} FROM ${tbl(e.child)} WHERE ${fk} IS NOT NULL GROUP BY ${fk}) AS per_parent`,
          { entity: e.parent.entity, parent: e.child.entity, via: e.via, agg, literals: [] },
        );
      }),
    );
    const perGroup = ctx.profiles.map((p) =>
      choose(rng, pairs(bestCategories(p), aggs), 1).map(([c, agg]) => {
        const g = col(c.name);
        const n = countAlias(p);
        return draft(
          "derived_table",
          `SELECT ${agg}(${n}) AS ${quoteIdent(`${agg}_${stem(n.replace(/"/g, ""))}`)} FROM (SELECT ${g}, count(*) AS ${n} FROM ${tbl(p)} WHERE ${g} IS NOT NULL GROUP BY ${g}) AS per_group`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), agg, literals: [] },
        );
      }),
    );
    return [...perParent, ...perGroup];
  },

  set_union: (ctx, rng) => buildSetOperations(ctx, "set_union", "UNION", rng),
  set_except: (ctx, rng) => buildSetOperations(ctx, "set_except", "EXCEPT", rng),
  set_intersect: (ctx, rng) => buildSetOperations(ctx, "set_intersect", "INTERSECT", rng),

  cte: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = pairs(bestCategories(p), p.measures).flatMap(([c, m]) => (["avg", "max", "sum"] as const).filter((a) => aggregatesFor(m).includes(a)).map((agg) => ({ c, m, agg })));
      return choose(rng, options).map(({ c, m, agg }) => {
        const k = rng.pick(K_VALUES);
        const g = col(c.name);
        const mc = col(m.name);
        const a = quoteIdent(`${agg}_${stem(m.name)}`);
        return draft(
          "cte",
          `WITH stats AS (SELECT ${g}, ${agg}(${mc}) AS ${a} FROM ${tbl(p)} WHERE ${g} IS NOT NULL AND ${mc} IS NOT NULL GROUP BY ${g}) SELECT ${g}, ${a} FROM stats ORDER BY ${a} DESC, ${g} ASC LIMIT ${k}`,
          { entity: p.entity, groupColumn: humanizeColumn(c.name), column: humanizeColumn(m.name), agg, k, literals: [String(k)] },
        );
      });
    }),

  cte_join: (ctx, rng) =>
    ctx.edges.map((e) => {
      const label = e.parent.label;
      const key = e.parent.key;
      // The parent's key orders ties, so it must be the unique column the foreign key points to.
      if (!label || !key || key.name !== e.fk.refColumns[0]) return [];
      const fk = col(e.fk.columns[0]);
      const measured = e.child.measures.flatMap((m) => (["sum", "avg"] as const).filter((a) => aggregatesFor(m).includes(a)).map((agg) => ({ m, agg })));
      const options: ({ m: ColumnModel; agg: AggregateName } | null)[] = [null, ...measured];
      return choose(rng, options, 2).map((measure) => {
        const k = rng.pick(K_VALUES);
        const value = measure ? quoteIdent(`${measure.agg}_${stem(measure.m.name)}`) : countAlias(e.child);
        const expr = measure ? `${measure.agg}(${col(measure.m.name)})` : "count(*)";
        return draft(
          "cte_join",
          `WITH per_parent AS (SELECT ${fk} AS parent_key, ${expr} AS ${value} FROM ${tbl(e.child)} WHERE ${fk} IS NOT NULL${measure ? ` AND ${col(measure.m.name)} IS NOT NULL` : ""} GROUP BY ${fk}) ` +
            `SELECT p.${col(label.name)}, pp.${value} FROM per_parent pp JOIN ${tbl(e.parent)} p ON p.${col(key.name)} = pp.parent_key ORDER BY pp.${value} DESC, p.${col(key.name)} ASC LIMIT ${k}`,
          {
            entity: e.child.entity,
            parent: e.parent.entity,
            via: e.via,
            label: labelWords(label),
            k,
            agg: measure?.agg,
            column: measure ? humanizeColumn(measure.m.name) : undefined,
            literals: [String(k)],
          },
        );
      });
    }),

  multi_cte: (ctx, rng) =>
    ctx.edges.map((e) => {
      const label = e.parent.label;
      if (!label) return [];
      return choose(rng, bestCategories(e.parent), 2).map((cat) => {
        const n = countAlias(e.child);
        const c = col(cat.name);
        const l = col(label.name);
        return draft(
          "multi_cte",
          `WITH per_parent AS (SELECT ${col(e.fk.columns[0])} AS parent_key, count(*) AS ${n} FROM ${tbl(e.child)} GROUP BY ${col(e.fk.columns[0])}), ` +
            `ranked AS (SELECT p.${c}, p.${l}, pp.${n}, rank() OVER (PARTITION BY p.${c} ORDER BY pp.${n} DESC) AS rnk FROM per_parent pp JOIN ${tbl(e.parent)} p ON p.${col(e.fk.refColumns[0])} = pp.parent_key WHERE p.${c} IS NOT NULL) ` +
            `SELECT ${c}, ${l}, ${n} FROM ranked WHERE rnk = 1 ORDER BY ${c} ASC, ${l} ASC, ${n} ASC`,
          { entity: e.child.entity, parent: e.parent.entity, via: e.via, label: labelWords(label), groupColumn: humanizeColumn(cat.name), literals: [] },
        );
      });
    }),

  recursive_cte: (ctx, rng) =>
    ctx.edges
      .filter((e) => e.child === e.parent && e.parent.label && e.parent.key?.name === e.fk.refColumns[0])
      .map((e) => {
        const t = e.parent;
        const label = t.label!;
        const key = col(t.key!.name);
        const roots = textSamples(ctx, t.name, label.name).slice(0, 6);
        return choose(rng, pairs(roots, ["count", "list"] as const), 2).map(([root, output]) => {
          // UNION (not UNION ALL) drops rows already reached, so the walk ends even on a cycle.
          const walk =
            `WITH RECURSIVE tree AS (SELECT ${key} AS node FROM ${tbl(t)} WHERE ${col(label.name)} = ${sqlLiteral(root)} ` +
            `UNION SELECT c.${key} FROM ${tbl(t)} c JOIN tree ON c.${col(e.fk.columns[0])} = tree.node)`;
          const sql =
            output === "count"
              ? `${walk} SELECT count(*) FROM tree`
              : `${walk} SELECT ${col(label.name)} FROM ${tbl(t)} WHERE ${key} IN (SELECT node FROM tree)`;
          return draft("recursive_cte", sql, {
            entity: t.entity,
            via: e.via,
            label: output === "list" ? labelWords(label) : undefined,
            groupColumn: labelWords(label),
            value: root,
            literals: [root],
          });
        });
      }),
} satisfies Partial<Record<QueryShape, ShapeBuilder>>;
