// Rule-based query generation: for every table, foreign key, join path and suitable column of a
// schema, a few queries per shape (see shapes.ts), with filter values drawn from rows sampled from
// the sandbox so filters match. Every query is deterministic: a LIMIT always follows an ORDER BY
// that ends in a unique key or covers every output column, and no random()/now() is used.
// The builders live in builders/, one file per group of families.
import type { SchemaModel } from "@/lib/schema/model";
import { createRng, deriveSeed } from "@/lib/queries/rng";
import { QUERY_SHAPES, SHAPE_FAMILIES, SHAPE_FAMILY_NAMES, type QueryShape } from "@/lib/queries/shapes";
import { createContext, type QueryDraft, type ShapeBuilder, type ValueSamples } from "@/lib/queries/builders/context";
import { selectionBuilders } from "@/lib/queries/builders/selection";
import { aggregationBuilders } from "@/lib/queries/builders/aggregation";
import { joinBuilders } from "@/lib/queries/builders/joins";
import { nestedBuilders } from "@/lib/queries/builders/nested";
import { analyticsBuilders } from "@/lib/queries/builders/analytics";
import { applyVocabulary, type Vocabulary } from "@/lib/questions/glossary";

export type { QuestionSeed } from "@/lib/questions/seed";
export type { QueryShape } from "@/lib/queries/shapes";
export type { QueryDraft, SampleValue, ValueSamples } from "@/lib/queries/builders/context";
export { quoteIdent, sqlLiteral } from "@/lib/sql/quote";

const builders = {
  ...selectionBuilders,
  ...aggregationBuilders,
  ...joinBuilders,
  ...nestedBuilders,
  ...analyticsBuilders,
} satisfies Record<QueryShape, ShapeBuilder>;

export interface GenerateTemplateOptions {
  seed: number;
  /** Most drafts in all. */
  max?: number;
  /** Only these shapes ("ask for more of a shape"); default every shape. */
  shapes?: readonly QueryShape[];
  /** Most drafts of any one shape. */
  perShape?: number;
  /** Glossary terms ("table", "table.column" → term) the question seeds use instead of schema words. */
  vocabulary?: Vocabulary;
}

/** Shapes in an order that visits every family before any family's second shape, so a small `max` stays varied. */
function orderAcrossFamilies(shapes: readonly QueryShape[]): QueryShape[] {
  const byFamily = SHAPE_FAMILY_NAMES.map((f) => shapes.filter((s) => SHAPE_FAMILIES[s].family === f));
  const out: QueryShape[] = [];
  for (let i = 0; out.length < shapes.length; i++) for (const list of byFamily) if (list[i]) out.push(list[i]);
  return out;
}

/** A shape's drafts with each unit's first variant before any unit's second, so early drafts spread over tables. */
function interleaveVariants(units: QueryDraft[][]): QueryDraft[] {
  const out: QueryDraft[] = [];
  const depth = Math.max(0, ...units.map((u) => u.length));
  for (let v = 0; v < depth; v++) for (const unit of units) if (unit[v]) out.push(unit[v]);
  return out;
}

/**
 * Template queries over the whole schema: several per shape and table (or foreign key, or join
 * path), with values taken from `samples`. Shapes are interleaved (one draft of each shape per
 * round, families in turn) so a small `max` still covers every shape the schema allows; the same
 * inputs always give the same drafts, deduplicated by SQL text.
 */
export function generateTemplateQueries(model: SchemaModel, samples: ValueSamples, opts: GenerateTemplateOptions): QueryDraft[] {
  const ctx = createContext(model, samples, opts.seed);
  const wanted = orderAcrossFamilies(opts.shapes ? QUERY_SHAPES.filter((s) => opts.shapes!.includes(s)) : QUERY_SHAPES);
  const perShape = wanted.map((shape) => interleaveVariants(builders[shape](ctx, createRng(deriveSeed(opts.seed, shape)))));
  const cap = opts.perShape ?? Number.POSITIVE_INFINITY;
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  const taken = perShape.map(() => 0);
  const seen = new Set<string>();
  const out: QueryDraft[] = [];
  for (let round = 0; out.length < max; round++) {
    let added = false;
    for (const [i, drafts] of perShape.entries()) {
      const d = drafts[round];
      if (!d) continue;
      added = true;
      if (taken[i] >= cap || seen.has(d.sql)) continue;
      seen.add(d.sql);
      taken[i]++;
      out.push(d);
      if (out.length >= max) break;
    }
    if (!added) break;
  }
  const vocabulary = opts.vocabulary;
  return vocabulary?.size ? out.map((d) => ({ ...d, question: applyVocabulary(d.question, model, d.sql, vocabulary) })) : out;
}
