// Offline question writing: phrasings per query shape and style, filled from a QuestionSeed.
// Invariant: the question states every literal of its SQL verbatim (seed.literals) and says the
// ordering and limit when the SQL has them, so a reader can write an equivalent query.
// Phrasings live in phrasings/, one file per group of shape families, like the query builders.
// Each writes formal, colloquial, imperative and concise by hand; the interrogative style is the
// imperative asked politely ("Can you list…?") and the descriptive style states the concise
// phrase as what is wanted ("I am looking for the number of…"), unless a phrasing gives its own.
// Both keep every word of the phrase they come from, so the invariants carry over.
import type { QueryShape } from "@/lib/queries/shapes";
import { createRng, deriveSeed } from "@/lib/queries/rng";
import type { QuestionSeed } from "@/lib/questions/seed";
import { capitalize, type Phrasing, type Variants } from "@/lib/questions/phrasings/helpers";
import { selectionPhrasings } from "@/lib/questions/phrasings/selection";
import { aggregationPhrasings } from "@/lib/questions/phrasings/aggregation";
import { joinPhrasings } from "@/lib/questions/phrasings/joins";
import { nestedPhrasings } from "@/lib/questions/phrasings/nested";
import { analyticsPhrasings } from "@/lib/questions/phrasings/analytics";
import { isTemplateStyle, TEMPLATE_STYLES, type QuestionStyle, type TemplateStyle } from "@/lib/questions/styles";

export { LLM_ONLY_STYLES, QUESTION_STYLES, STYLE_LABELS, TEMPLATE_STYLES } from "@/lib/questions/styles";
export type { QuestionStyle, TemplateStyle };

/** Template styles in rotation, so consecutive pairs read differently. */
export function pickStyle(index: number, styles: readonly TemplateStyle[] = TEMPLATE_STYLES): TemplateStyle {
  const n = styles.length;
  return styles[((Math.floor(index) % n) + n) % n];
}

const phrasings = {
  ...selectionPhrasings,
  ...aggregationPhrasings,
  ...joinPhrasings,
  ...nestedPhrasings,
  ...analyticsPhrasings,
} satisfies Record<QueryShape, Phrasing>;

const ASKING = ["Can you", "Could you", "Would you please"];
const WANTING = ["I am looking for", "I would like to see", "This is a request for"];

/** Lower-cases the first letter unless the first word is an acronym or mixed-case name ("IATA", "OpenFlights"). */
function lowerFirst(text: string): string {
  const first = text.split(" ")[0] ?? "";
  return /\p{L}\p{Lu}/u.test(first) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

const sentence = (text: string) => text.trim().replace(/[.?!]+$/, "");

/** "List the names…" → "Can you list the names…?"; "For each x, give…" → "For each x, could you give…?". */
function asQuestion(imperative: string, opener: string): string {
  const body = sentence(imperative);
  const lead = /^(For (?:each|every) [^,]+), (.*)$/s.exec(body);
  return lead ? `${lead[1]}, ${opener.toLowerCase()} ${lowerFirst(lead[2]!)}?` : `${opener} ${lowerFirst(body)}?`;
}

/** "Number of airports with…" → "I am looking for the number of airports with…". */
function asDescription(concise: string, opener: string): string {
  const body = lowerFirst(sentence(concise));
  return `${opener} ${body.startsWith("the ") ? body : `the ${body}`}.`;
}

/** Every phrasing a seed has in a style, in a fixed order. */
function optionsFor(variants: Variants, style: TemplateStyle): string[] {
  const given = variants[style];
  if (given && given.length > 0) return given;
  if (style === "interrogative") return variants.imperative.flatMap((q) => ASKING.map((opener) => asQuestion(q, opener)));
  if (style === "descriptive") return variants.concise.flatMap((q) => WANTING.map((opener) => asDescription(q, opener)));
  return variants[style as keyof Variants] ?? [];
}

function variantsOf(seed: QuestionSeed): Variants {
  const build = (phrasings as Record<string, Phrasing | undefined>)[seed.kind];
  if (!build) throw new Error(`No question template for query shape "${seed.kind}".`);
  return build(seed);
}

function assertTemplateStyle(style: string): asserts style is TemplateStyle {
  if (!isTemplateStyle(style)) throw new Error(`Templates cannot write the "${style}" style: it needs a model. Pick one of ${TEMPLATE_STYLES.join(", ")}.`);
}

const tidy = (text: string) => capitalize(text.replace(/\s+/g, " ").trim());

/** Every distinct question templates can write for a seed in a style, in a fixed order. */
export function listQuestions(seed: QuestionSeed, style: QuestionStyle): string[] {
  assertTemplateStyle(style);
  return [...new Set(optionsFor(variantsOf(seed), style).map(tidy))];
}

/** A natural-language question for a generated query, in the given style; rngSeed picks among phrasings. */
export function writeQuestion(seed: QuestionSeed, style: QuestionStyle, rngSeed: number): string {
  assertTemplateStyle(style);
  const options = optionsFor(variantsOf(seed), style);
  const rng = createRng(deriveSeed(rngSeed, `${seed.kind}:${style}`));
  return tidy(rng.pick(options));
}

export interface PlannedQuestion {
  style: TemplateStyle;
  question: string;
}

/**
 * Up to `count` questions for one seed, each a different text: one per style first (styles taken
 * in turn from `offset`, so a project's queries spread over the styles), then further phrasings
 * of the same styles while any remain. Same inputs, same plan.
 */
export function planQuestions(seed: QuestionSeed, styles: readonly TemplateStyle[], count: number, offset: number, rngSeed: number): PlannedQuestion[] {
  const order = styles.map((_, i) => pickStyle(offset + i, styles));
  const out: PlannedQuestion[] = [];
  const seen = new Set<string>();
  const add = (style: TemplateStyle, question: string) => {
    if (out.length >= count || seen.has(question)) return false;
    seen.add(question);
    out.push({ style, question });
    return true;
  };
  for (const style of order) add(style, writeQuestion(seed, style, rngSeed));
  const rest = order.map((style) => ({ style, options: listQuestions(seed, style) }));
  for (let round = 0; out.length < count; round++) {
    let more = false;
    for (const { style, options } of rest) {
      if (round >= options.length) continue;
      more = true;
      add(style, options[round]!);
    }
    if (!more) break;
  }
  return out;
}
