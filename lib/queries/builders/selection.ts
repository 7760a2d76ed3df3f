// Selection shapes: rows of one table (or their count) picked by one kind of predicate.
import type { QueryShape } from "@/lib/queries/shapes";
import {
  bestCategories, choose, col, draft, equalityPredicates, humanizeColumn, labelOrKey, labelWords, numericPredicates, numericSamples,
  pairs, preferContinuous, predicate, sqlLiteral, str, tbl, textSamples, type Predicate, type ShapeBuilder,
} from "@/lib/queries/builders/context";

/** Prefixes of sampled text that LIKE can match literally (no wildcard characters). */
function prefixesOf(values: string[]): string[] {
  return [
    ...new Set(
      values.map((v) => v.slice(0, Math.min(3, Math.max(1, v.length - 1))).trimEnd()).filter((prefix) => prefix.length > 0 && !/[%_\\]/.test(prefix)),
    ),
  ];
}

/** Inner pieces of sampled text (3–4 letters or digits) that LIKE '%…%' can look for. */
function substringsOf(values: string[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (v.length < 5) continue;
    const start = Math.floor(v.length / 3);
    const piece = v.slice(start, start + (v.length >= 8 ? 4 : 3));
    if (/^[\p{L}\p{N}]{3,4}$/u.test(piece)) out.add(piece);
  }
  return [...out];
}

export const selectionBuilders = {
  filter_equals: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      if (!shown) return [];
      return choose(rng, equalityPredicates(ctx, p, { selective: true })).map((pred) =>
        draft("filter_equals", `SELECT ${col(shown.name)} FROM ${tbl(p)} WHERE ${pred.sql}`, {
          entity: p.entity,
          label: labelWords(shown),
          groupColumn: pred.words.column,
          value: pred.words.value,
          literals: pred.literals,
        }),
      );
    }),

  filter_not_equals: (ctx, rng) =>
    ctx.profiles.map((p) =>
      choose(rng, equalityPredicates(ctx, p)).map((pred) =>
        draft("filter_not_equals", `SELECT count(*) FROM ${tbl(p)} WHERE ${predicate(pred.column, "<>", pred.value).sql}`, {
          entity: p.entity,
          groupColumn: pred.words.column,
          value: pred.words.value,
          literals: pred.literals,
        }),
      ),
    ),

  filter_compare: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const options = p.measures.flatMap((m) => {
        const values = numericSamples(ctx, p.name, m.name);
        return pairs(values, ["asc", "desc"] as const).map(([value, direction]) => ({ m, value, direction }));
      });
      return choose(rng, options).map(({ m, value, direction }) =>
        draft("filter_compare", `SELECT count(*) FROM ${tbl(p)} WHERE ${col(m.name)} ${direction === "desc" ? ">" : "<"} ${sqlLiteral(value)}`, {
          entity: p.entity,
          column: humanizeColumn(m.name),
          value,
          direction,
          literals: [str(value)],
        }),
      );
    }),

  filter_range: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const options = preferContinuous(ctx, p).flatMap((m) => {
        const values = numericSamples(ctx, p.name, m.name);
        if (values.length < 2) return [];
        const q = (f: number) => values[Math.min(values.length - 1, Math.floor(values.length * f))];
        const bounds: [number, number][] = [[q(0.25), q(0.75)], [values[0], q(0.5)], [q(0.5), values[values.length - 1]]];
        return bounds.filter(([lo, hi]) => lo < hi).map(([low, high]) => ({ m, low, high }));
      });
      return choose(rng, options).map(({ m, low, high }) => {
        const select = shown && shown.name !== m.name ? `${col(shown.name)}, ${col(m.name)}` : col(m.name);
        return draft("filter_range", `SELECT ${select} FROM ${tbl(p)} WHERE ${col(m.name)} BETWEEN ${sqlLiteral(low)} AND ${sqlLiteral(high)}`, {
          entity: p.entity,
          label: shown && shown.name !== m.name ? labelWords(shown) : undefined,
          column: humanizeColumn(m.name),
          low,
          high,
          literals: [str(low), str(high)],
        });
      });
    }),

  filter_in_list: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      if (!shown) return [];
      const options = bestCategories(p).flatMap((c) => {
        // With few distinct values, a list of them covers most of the table.
        const values = textSamples(ctx, p.name, c.name);
        if (values.length < 5) return [];
        return [2, 3].filter((n) => n <= values.length).map((n) => ({ c, values: choose(rng, values, n).sort() }));
      });
      return choose(rng, options).map(({ c, values }) =>
        draft("filter_in_list", `SELECT ${col(shown.name)} FROM ${tbl(p)} WHERE ${col(c.name)} IN (${values.map(sqlLiteral).join(", ")})`, {
          entity: p.entity,
          label: labelWords(shown),
          groupColumn: humanizeColumn(c.name),
          values,
          literals: values,
        }),
      );
    }),

  filter_like_prefix: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const targets = [...p.texts, ...bestCategories(p)];
      const options = [...new Set(targets)].flatMap((t) => prefixesOf(textSamples(ctx, p.name, t.name)).map((prefix) => ({ t, prefix })));
      return choose(rng, options).map(({ t, prefix }) => {
        const s = shown ?? t;
        return draft("filter_like_prefix", `SELECT ${col(s.name)} FROM ${tbl(p)} WHERE ${col(t.name)} LIKE ${sqlLiteral(`${prefix}%`)}`, {
          entity: p.entity,
          label: labelWords(s),
          column: humanizeColumn(t.name),
          prefix,
          literals: [prefix],
        });
      });
    }),

  filter_like_contains: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      const options = p.texts.flatMap((t) => substringsOf(textSamples(ctx, p.name, t.name)).map((substring) => ({ t, substring })));
      return choose(rng, options).map(({ t, substring }) => {
        const s = shown ?? t;
        return draft("filter_like_contains", `SELECT ${col(s.name)} FROM ${tbl(p)} WHERE ${col(t.name)} LIKE ${sqlLiteral(`%${substring}%`)}`, {
          entity: p.entity,
          label: labelWords(s),
          column: humanizeColumn(t.name),
          substring,
          literals: [substring],
        });
      });
    }),

  filter_is_null: (ctx, rng) =>
    ctx.profiles.map((p) =>
      choose(rng, p.nullables).map((c) =>
        draft("filter_is_null", `SELECT count(*) FROM ${tbl(p)} WHERE ${col(c.name)} IS NULL`, { entity: p.entity, column: humanizeColumn(c.name), literals: [] }),
      ),
    ),

  filter_is_not_null: (ctx, rng) =>
    ctx.profiles.map((p) =>
      choose(rng, p.nullables).map((c) =>
        draft("filter_is_not_null", `SELECT count(*) FROM ${tbl(p)} WHERE ${col(c.name)} IS NOT NULL`, { entity: p.entity, column: humanizeColumn(c.name), literals: [] }),
      ),
    ),

  filter_compound: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const shown = labelOrKey(p);
      if (!shown) return [];
      const equalities = equalityPredicates(ctx, p, { selective: true });
      const all: Predicate[] = [...equalityPredicates(ctx, p), ...numericPredicates(ctx, p)];
      const options = pairs(equalities, all).filter(([a, b]) => a.words.column !== b.words.column);
      return choose(rng, options).map(([a, b]) => {
        // OR only between two equalities, so the rows stay few.
        const connector = b.words.op === "=" && rng.next() < 0.4 ? "or" : "and";
        return draft("filter_compound", `SELECT ${col(shown.name)} FROM ${tbl(p)} WHERE ${a.sql} ${connector.toUpperCase()} ${b.sql}`, {
          entity: p.entity,
          label: labelWords(shown),
          conditions: [a.words, b.words],
          connector,
          literals: [...a.literals, ...b.literals],
        });
      });
    }),

  distinct_values: (ctx, rng) =>
    ctx.profiles.map((p) => {
      const filters: (Predicate | null)[] = [null, ...choose(rng, [...equalityPredicates(ctx, p), ...numericPredicates(ctx, p)], 4)];
      const options = pairs(bestCategories(p), filters).filter(([c, f]) => !f || f.words.column !== humanizeColumn(c.name));
      return choose(rng, options).map(([c, f]) => {
        const where = f ? `${col(c.name)} IS NOT NULL AND ${f.sql}` : `${col(c.name)} IS NOT NULL`;
        return draft("distinct_values", `SELECT DISTINCT ${col(c.name)} FROM ${tbl(p)} WHERE ${where}`, {
          entity: p.entity,
          groupColumn: humanizeColumn(c.name),
          conditions: f ? [f.words] : undefined,
          literals: f ? f.literals : [],
        });
      });
    }),
} satisfies Partial<Record<QueryShape, ShapeBuilder>>;
