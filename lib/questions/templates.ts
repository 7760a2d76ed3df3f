// Offline question writing: one phrasing per query shape and style, filled from a QuestionSeed.
// Invariant: the question states every literal of its SQL verbatim (seed.literals) and says the
// ordering and limit when the SQL has them, so a reader can write an equivalent query.
import type { QueryShape } from "@/lib/queries/shapes";
import { createRng, deriveSeed } from "@/lib/queries/rng";
import { pluralize, singularize } from "@/lib/questions/naming";
import type { QuestionSeed, SlotValue } from "@/lib/questions/seed";

export const QUESTION_STYLES = ["formal", "colloquial", "imperative", "concise"] as const;
export type QuestionStyle = (typeof QUESTION_STYLES)[number];

/** Styles in rotation, so consecutive pairs read differently. */
export function pickStyle(index: number): QuestionStyle {
  const n = QUESTION_STYLES.length;
  return QUESTION_STYLES[((Math.floor(index) % n) + n) % n];
}

type Variants = Record<QuestionStyle, string[]>;

function v(value: SlotValue | undefined): string {
  return value === undefined ? "" : String(value);
}

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** Plural of a column phrase; short codes ("tz", "iso") read better as "tz values". */
function plural(phrase: string): string {
  const last = phrase.split(" ").pop() ?? phrase;
  return last.length <= 3 || !/[aeiouy]/.test(last) ? `${phrase} values` : pluralize(phrase);
}

/** A shown column: names and codes pluralize ("names"), other columns stay as they are ("altitude"). */
function shown(label: string): string {
  return /(name|title|code|label)$/.test(label) ? plural(label) : label;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function need<T>(value: T | undefined, slot: string, kind: QueryShape): T {
  if (value === undefined || value === null) throw new Error(`Question seed of kind ${kind} lacks "${slot}".`);
  return value;
}

const AGG_WORDS = { avg: "average", min: "minimum", max: "maximum", sum: "total" } as const;

/** How a parent entity relates to child rows through a foreign key role ("have routes", "are the source airport of a route"). */
function relation(s: QuestionSeed, negative: boolean): string {
  const child = need(s.parent, "parent", s.kind);
  const one = singularize(child);
  const via = need(s.via, "via", s.kind);
  const owns = via === singularize(s.entity);
  if (negative) return owns ? `have no ${child}` : `are not the ${via} of any ${one}`;
  return owns ? `have at least one ${one}` : `are the ${via} of at least one ${one}`;
}

const phrasings: Record<QueryShape, (s: QuestionSeed) => Variants> = {
  count_rows: (s) => ({
    formal: [`What is the total number of ${s.entity}?`, `How many ${s.entity} are recorded?`],
    colloquial: [`How many ${s.entity} are there?`, `So how many ${s.entity} do we have?`],
    imperative: [`Count the ${s.entity}.`, `Give the total number of ${s.entity}.`],
    concise: [`Number of ${s.entity}?`, `Total count of ${s.entity}.`],
  }),

  filter_equals: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const cond = `${need(s.groupColumn, "groupColumn", s.kind)} is ${v(s.value)}`;
    return {
      formal: [`What are the ${labels} of the ${s.entity} whose ${cond}?`],
      colloquial: [`Which ${s.entity} have ${s.groupColumn} ${v(s.value)}? Just give me their ${labels}.`],
      imperative: [`List the ${labels} of ${s.entity} where the ${cond}.`],
      concise: [`${capitalize(labels)} of ${s.entity} with ${s.groupColumn} ${v(s.value)}.`],
    };
  },

  filter_compare: (s) => {
    const column = need(s.column, "column", s.kind);
    const cmp = s.direction === "asc" ? "less than" : "greater than";
    const sym = s.direction === "asc" ? "<" : ">";
    return {
      formal: [`How many ${s.entity} have ${column} ${cmp} ${v(s.value)}?`],
      colloquial: [`How many of the ${s.entity} have ${column} ${cmp} ${v(s.value)}?`],
      imperative: [`Count the ${s.entity} whose ${column} is ${cmp} ${v(s.value)}.`],
      concise: [`Number of ${s.entity} with ${column} ${sym} ${v(s.value)}.`],
    };
  },

  filter_range: (s) => {
    const column = need(s.column, "column", s.kind);
    const show = s.label ? `${shown(s.label)} and ${column}` : column;
    return {
      formal: [`Which ${s.entity} have ${column} between ${s.low} and ${s.high} inclusive? Give their ${show}.`],
      colloquial: [`Which ${s.entity} have ${column} somewhere between ${s.low} and ${s.high}? Show me the ${show}.`],
      imperative: [`List the ${show} of ${s.entity} with ${column} between ${s.low} and ${s.high}.`],
      concise: [`${capitalize(show)} of ${s.entity} with ${column} from ${s.low} to ${s.high}.`],
    };
  },

  filter_like_prefix: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const column = need(s.column, "column", s.kind);
    const prefix = `"${need(s.prefix, "prefix", s.kind)}"`;
    return {
      formal: [`What are the ${labels} of the ${s.entity} whose ${column} begins with ${prefix}?`],
      colloquial: [`Which ${s.entity} have ${column} starting with ${prefix}? I need their ${labels}.`],
      imperative: [`List the ${labels} of all ${s.entity} whose ${column} starts with ${prefix}.`],
      concise: [`${capitalize(labels)} of ${s.entity} with ${column} starting with ${prefix}.`],
    };
  },

  distinct_values: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const gcs = plural(gc);
    return {
      formal: [`What are the distinct ${gcs} of the ${s.entity}?`],
      colloquial: [`Which different ${gcs} show up among the ${s.entity}?`],
      imperative: [`List each distinct ${gc} that appears in ${s.entity}.`],
      concise: [`Distinct ${gcs} of ${s.entity}.`],
    };
  },

  aggregate: (s) => {
    const word = AGG_WORDS[need(s.agg, "agg", s.kind)];
    const column = need(s.column, "column", s.kind);
    const cond = s.value !== undefined ? ` whose ${s.groupColumn} is ${v(s.value)}` : "";
    return {
      formal: [`What is the ${word} ${column} of the ${s.entity}${cond}?`],
      colloquial: [`What's the ${word} ${column} across ${cond ? `the ${s.entity}${cond}` : `all ${s.entity}`}?`],
      imperative: [`Compute the ${word} ${column} of ${s.entity}${cond}.`],
      concise: [`${capitalize(word)} ${column} of ${s.entity}${cond}.`],
    };
  },

  group_count_top: (s) => {
    const gcs = plural(need(s.groupColumn, "groupColumn", s.kind));
    const k = need(s.k, "k", s.kind);
    return {
      formal: [`Which ${k} ${gcs} have the most ${s.entity}, and how many does each have? Order by the count, highest first, then alphabetically.`],
      colloquial: [`What are the top ${k} ${gcs} by number of ${s.entity}, with their counts?`],
      imperative: [`Show the ${k} ${gcs} with the highest number of ${s.entity}, with each count, from most to fewest.`],
      concise: [`Top ${k} ${gcs} by number of ${s.entity}.`],
    };
  },

  group_having: (s) => {
    const gcs = plural(need(s.groupColumn, "groupColumn", s.kind));
    const t = need(s.threshold, "threshold", s.kind);
    const noun = t === 1 ? singularize(s.entity) : s.entity;
    return {
      formal: [`Which ${gcs} have more than ${t} ${noun}, and how many ${s.entity} does each have?`],
      colloquial: [`Which ${gcs} have over ${t} ${noun}? Include how many.`],
      imperative: [`List the ${gcs} with more than ${t} ${noun}, along with their number of ${s.entity}.`],
      concise: [`${capitalize(gcs)} with more than ${t} ${noun}, with counts.`],
    };
  },

  multi_aggregate_group: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const column = need(s.column, "column", s.kind);
    return {
      formal: [`For each ${gc}, what are the number of ${s.entity}, the average ${column} and the maximum ${column}?`],
      colloquial: [`Per ${gc}, how many ${s.entity} are there, and what are their average and highest ${column}?`],
      imperative: [`For every ${gc}, give the number of ${s.entity}, the average ${column} and the maximum ${column}.`],
      concise: [`Count, average ${column} and maximum ${column} of ${s.entity} per ${gc}.`],
    };
  },

  top_k: (s) => {
    const column = need(s.column, "column", s.kind);
    const k = need(s.k, "k", s.kind);
    const sup = s.direction === "asc" ? "lowest" : "highest";
    const show = s.label ? ` Give their ${shown(s.label)} and ${column}.` : "";
    const showing = s.label ? `, showing ${s.label} and ${column}` : "";
    return {
      formal: [`What are the ${k} ${s.entity} with the ${sup} ${column}?${show}`],
      colloquial: [`Which ${k} ${s.entity} have the ${sup} ${column}?${show}`],
      imperative: [`List the ${k} ${s.entity} with the ${sup} ${column}${showing}.`],
      concise: [`The ${k} ${s.entity} with the ${sup} ${column}.`],
    };
  },

  join_filter: (s) => {
    const via = need(s.via, "via", s.kind);
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    return {
      formal: [`How many ${s.entity} have ${article(via)} whose ${gc} is ${v(s.value)}?`],
      colloquial: [`How many ${s.entity} have ${article(via)} with ${gc} ${v(s.value)}?`],
      imperative: [`Count the ${s.entity} whose ${via} has ${gc} ${v(s.value)}.`],
      concise: [`Number of ${s.entity} where the ${via} ${gc} is ${v(s.value)}.`],
    };
  },

  join_group_count: (s) => {
    const via = need(s.via, "via", s.kind);
    const vias = pluralize(via);
    const label = need(s.label, "label", s.kind);
    const k = need(s.k, "k", s.kind);
    return {
      formal: [`Which ${k} ${vias} have the most ${s.entity}? Give each ${via} ${label} with its number of ${s.entity}, highest first.`],
      colloquial: [`What are the top ${k} ${vias} by number of ${s.entity}? Show the ${label} and the count.`],
      imperative: [`List the ${shown(label)} of the ${k} ${vias} with the most ${s.entity}, with the number of ${s.entity}, most first.`],
      concise: [`Top ${k} ${vias} (by ${label}) by number of ${s.entity}.`],
    };
  },

  join_chain: (s) => {
    const via = need(s.via, "via", s.kind);
    const other = need(s.otherVia, "otherVia", s.kind);
    const show = `${via} ${need(s.label, "label", s.kind)} and the ${other} ${need(s.otherLabel, "otherLabel", s.kind)}`;
    const cond = `${need(s.groupColumn, "groupColumn", s.kind)} ${v(s.value)}`;
    return {
      formal: [`For the ${s.entity} whose ${via} has ${cond}, what are the ${show}?`],
      colloquial: [`For ${s.entity} with ${article(via)} that has ${cond}, what's the ${show}?`],
      imperative: [`List the ${show} of every ${singularize(s.entity)} whose ${via} has ${cond}.`],
      concise: [`${capitalize(show)} of ${s.entity} whose ${via} has ${cond}.`],
    };
  },

  subquery_above_average: (s) => {
    const column = need(s.column, "column", s.kind);
    const show = s.label ? ` Give their ${shown(s.label)} and ${column}.` : "";
    return {
      formal: [`Which ${s.entity} have ${column} above the average ${column} of all ${s.entity}?${show}`],
      colloquial: [`Which ${s.entity} have a higher-than-average ${column}?${show}`],
      imperative: [`List the ${s.entity} whose ${column} is greater than the average ${column}${s.label ? `, with ${s.label} and ${column}` : ""}.`],
      concise: [`${capitalize(s.entity)} with above-average ${column}.`],
    };
  },

  in_subquery: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const cond = s.value !== undefined ? ` with ${s.groupColumn} ${v(s.value)}` : "";
    const rel = `${relation(s, false)}${cond}`;
    return {
      formal: [`What are the ${labels} of the ${s.entity} that ${rel}?`],
      colloquial: [`Which ${s.entity} ${rel}? Just the ${labels}, please.`],
      imperative: [`List the ${labels} of ${s.entity} that ${rel}.`],
      concise: [`${capitalize(labels)} of ${s.entity} that ${rel}.`],
    };
  },

  not_exists: (s) => {
    const rel = relation(s, true);
    return {
      formal: [`How many ${s.entity} ${rel}?`],
      colloquial: [`How many ${s.entity} ${rel} at all?`],
      imperative: [`Count the ${s.entity} that ${rel}.`],
      concise: [`Number of ${s.entity} that ${rel}.`],
    };
  },

  cte: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const gcs = plural(gc);
    const column = need(s.column, "column", s.kind);
    const k = need(s.k, "k", s.kind);
    return {
      formal: [`Which ${k} ${gcs} have the highest average ${column} of ${s.entity}, and what are those averages, highest first?`],
      colloquial: [`What are the top ${k} ${gcs} by average ${column} of their ${s.entity}?`],
      imperative: [`Compute the average ${column} of ${s.entity} per ${gc} and list the ${k} ${gcs} with the highest averages, highest first.`],
      concise: [`The ${k} ${gcs} with the highest average ${singularize(s.entity)} ${column}.`],
    };
  },

  multi_cte: (s) => {
    const via = need(s.via, "via", s.kind);
    const gc = `${via} ${need(s.groupColumn, "groupColumn", s.kind)}`;
    const label = need(s.label, "label", s.kind);
    return {
      formal: [`For each ${gc}, which ${via} has the most ${s.entity}? Give the ${gc}, the ${via} ${label} and its number of ${s.entity}, sorted by ${gc}, ties included.`],
      colloquial: [`In every ${gc}, which ${via} has the most ${s.entity}, and how many? Sort by ${gc}.`],
      imperative: [`For each ${gc}, list the ${via} ${label} with the highest number of ${s.entity} and that number, ordered by ${gc} (keep ties).`],
      concise: [`${capitalize(via)} with the most ${s.entity} per ${gc}, with the count, ordered by ${gc}.`],
    };
  },

  window_rank: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const column = need(s.column, "column", s.kind);
    const one = singularize(s.entity);
    const label = need(s.label, "label", s.kind);
    return {
      formal: [`For each ${gc}, which ${one} has the highest ${column}? Give the ${gc}, ${label} and ${column}, ordered by ${gc}.`],
      colloquial: [`What's the ${one} with the highest ${column} in every ${gc}? Show ${gc}, ${label} and ${column}, sorted by ${gc}.`],
      imperative: [`List, for every ${gc}, the ${one} with the highest ${column} (including ties), showing ${gc}, ${label} and ${column}, ordered by ${gc}.`],
      concise: [`${capitalize(one)} with the highest ${column} per ${gc}, ordered by ${gc}.`],
    };
  },

  case_bucket: (s) => {
    const column = need(s.column, "column", s.kind);
    const [low, medium, high] = need(s.buckets, "buckets", s.kind);
    const bands = `${low.label} (${column} below ${low.below}), ${medium.label} (below ${medium.below}) and ${high.label} (${medium.below} or more)`;
    return {
      formal: [`How many ${s.entity} fall into each ${column} band, where the bands are ${bands}?`],
      colloquial: [`If we split ${s.entity} into ${bands}, how many land in each band?`],
      imperative: [`Count the ${s.entity} per ${column} band: ${bands}.`],
      concise: [`Number of ${s.entity} per ${column} band: ${bands}.`],
    };
  },

  ratio: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    return {
      formal: [`What percentage of ${s.entity} have ${gc} ${v(s.value)}?`],
      colloquial: [`What share of ${s.entity}, in percent, have ${gc} ${v(s.value)}?`],
      imperative: [`Compute the percentage of ${s.entity} whose ${gc} is ${v(s.value)}.`],
      concise: [`Percentage of ${s.entity} with ${gc} ${v(s.value)}.`],
    };
  },

  set_union: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const other = need(s.other, "other", s.kind);
    return {
      formal: [`Which ${plural(gc)} appear among either the ${s.entity} or the ${other}?`],
      colloquial: [`What ${plural(gc)} show up in ${s.entity} or in ${other}?`],
      imperative: [`List every ${gc} that appears in ${s.entity} or ${other}, without duplicates.`],
      concise: [`${capitalize(plural(gc))} of ${s.entity} or ${other}.`],
    };
  },

  set_except: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const other = need(s.other, "other", s.kind);
    return {
      formal: [`Which ${plural(gc)} appear among the ${s.entity} but not among the ${other}?`],
      colloquial: [`What ${plural(gc)} have ${s.entity} but no ${other}?`],
      imperative: [`List the ${plural(gc)} found in ${s.entity} that never appear in ${other}.`],
      concise: [`${capitalize(plural(gc))} of ${s.entity} not found in ${other}.`],
    };
  },

  set_intersect: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const other = need(s.other, "other", s.kind);
    return {
      formal: [`Which ${plural(gc)} appear among both the ${s.entity} and the ${other}?`],
      colloquial: [`What ${plural(gc)} have both ${s.entity} and ${other}?`],
      imperative: [`List the ${plural(gc)} that appear in ${s.entity} and also in ${other}.`],
      concise: [`${capitalize(plural(gc))} shared by ${s.entity} and ${other}.`],
    };
  },

  date_filter: (s) => {
    const column = need(s.column, "column", s.kind);
    const date = need(s.date, "date", s.kind);
    const rel = s.direction === "asc" ? `before ${date}` : `on or after ${date}`;
    return {
      formal: [`How many ${s.entity} have ${column} ${rel}?`],
      colloquial: [`How many ${s.entity} have their ${column} ${rel}?`],
      imperative: [`Count the ${s.entity} with ${column} ${rel}.`],
      concise: [`Number of ${s.entity} with ${column} ${rel}.`],
    };
  },

  date_year_filter: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const column = need(s.column, "column", s.kind);
    const year = need(s.year, "year", s.kind);
    return {
      formal: [`What are the ${labels} of the ${s.entity} whose ${column} falls in ${year}?`],
      colloquial: [`Which ${s.entity} have ${column} in ${year}? Give me their ${labels}.`],
      imperative: [`List the ${labels} of ${s.entity} with ${column} in the year ${year}.`],
      concise: [`${capitalize(labels)} of ${s.entity} with ${column} in ${year}.`],
    };
  },

  date_year_group: (s) => {
    const column = need(s.column, "column", s.kind);
    return {
      formal: [`How many ${s.entity} are there for each year of ${column}, in year order?`],
      colloquial: [`How many ${s.entity} per ${column} year? Sort by year.`],
      imperative: [`Count the ${s.entity} by year of ${column}, ordered by year.`],
      concise: [`Number of ${s.entity} per ${column} year, by year.`],
    };
  },
};

/** A natural-language question for a generated query, in the given style; rngSeed picks among phrasings. */
export function writeQuestion(seed: QuestionSeed, style: QuestionStyle, rngSeed: number): string {
  const build = phrasings[seed.kind];
  if (!build) throw new Error(`No question template for query shape "${seed.kind}".`);
  const options = build(seed)[style];
  const rng = createRng(deriveSeed(rngSeed, `${seed.kind}:${style}`));
  return capitalize(rng.pick(options).replace(/\s+/g, " ").trim());
}
