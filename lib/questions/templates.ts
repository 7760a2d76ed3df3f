// Offline question writing: one phrasing per query shape and style, filled from a QuestionSeed.
// Invariant: the question states every literal of its SQL verbatim (seed.literals) and says the
// ordering and limit when the SQL has them, so a reader can write an equivalent query.
// Phrasings live in phrasings/, one file per group of shape families, like the query builders.
import type { QueryShape } from "@/lib/queries/shapes";
import { createRng, deriveSeed } from "@/lib/queries/rng";
import type { QuestionSeed } from "@/lib/questions/seed";
import { capitalize, type Phrasing, type QuestionStyle } from "@/lib/questions/phrasings/helpers";
import { selectionPhrasings } from "@/lib/questions/phrasings/selection";
import { aggregationPhrasings } from "@/lib/questions/phrasings/aggregation";
import { joinPhrasings } from "@/lib/questions/phrasings/joins";
import { nestedPhrasings } from "@/lib/questions/phrasings/nested";
import { analyticsPhrasings } from "@/lib/questions/phrasings/analytics";

export const QUESTION_STYLES = ["formal", "colloquial", "imperative", "concise"] as const satisfies readonly QuestionStyle[];
export type { QuestionStyle };

/** Styles in rotation, so consecutive pairs read differently. */
export function pickStyle(index: number): QuestionStyle {
  const n = QUESTION_STYLES.length;
  return QUESTION_STYLES[((Math.floor(index) % n) + n) % n];
}

const phrasings = {
  ...selectionPhrasings,
  ...aggregationPhrasings,
  ...joinPhrasings,
  ...nestedPhrasings,
  ...analyticsPhrasings,
} satisfies Record<QueryShape, Phrasing>;

/** A natural-language question for a generated query, in the given style; rngSeed picks among phrasings. */
export function writeQuestion(seed: QuestionSeed, style: QuestionStyle, rngSeed: number): string {
  const build = (phrasings as Record<string, Phrasing | undefined>)[seed.kind];
  if (!build) throw new Error(`No question template for query shape "${seed.kind}".`);
  const options = build(seed)[style];
  const rng = createRng(deriveSeed(rngSeed, `${seed.kind}:${style}`));
  return capitalize(rng.pick(options).replace(/\s+/g, " ").trim());
}
