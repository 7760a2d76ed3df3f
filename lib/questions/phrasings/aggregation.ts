// Phrasings of the aggregation, grouping and ranking shapes over one table.
import type { QueryShape } from "@/lib/queries/shapes";
import {
  AGG_WORDS, article, capitalize, listWords, need, plural, shown, singularize, v, whoseSuffix, type Phrasing,
} from "@/lib/questions/phrasings/helpers";

export const aggregationPhrasings = {
  count_rows: (s) => ({
    formal: [`What is the total number of ${s.entity}?`, `How many ${s.entity} are recorded?`],
    colloquial: [`How many ${s.entity} are there?`, `So how many ${s.entity} do we have?`],
    imperative: [`Count the ${s.entity}.`, `Give the total number of ${s.entity}.`],
    concise: [`Number of ${s.entity}?`, `Total count of ${s.entity}.`],
  }),

  count_distinct: (s) => {
    const column = plural(need(s.column, "column", s.kind));
    const cond = whoseSuffix(s);
    return {
      formal: [`How many distinct ${column} appear among the ${s.entity}${cond}?`],
      colloquial: [`How many different ${column} do the ${s.entity}${cond} have?`],
      imperative: [`Count the distinct ${column} of ${s.entity}${cond}.`],
      concise: [`Number of distinct ${column} of ${s.entity}${cond}.`],
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

  min_max: (s) => {
    const column = need(s.column, "column", s.kind);
    const words = listWords(need(s.aggs, "aggs", s.kind).map((a) => AGG_WORDS[a]));
    const cond = whoseSuffix(s);
    return {
      formal: [`What are the ${words} ${column} of the ${s.entity}${cond}?`],
      colloquial: [`What are the ${words} values of ${column} across the ${s.entity}${cond}?`],
      imperative: [`Give the ${words} ${column} of ${s.entity}${cond}, in that order.`],
      concise: [`${capitalize(words)} ${column} of ${s.entity}${cond}.`],
    };
  },

  group_count: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const cond = whoseSuffix(s);
    return {
      formal: [`How many ${s.entity}${cond} are there for each ${gc}?`],
      colloquial: [`For every ${gc}, how many ${s.entity}${cond} are there?`],
      imperative: [`Count the ${s.entity}${cond} per ${gc}.`],
      concise: [`Number of ${s.entity}${cond} per ${gc}.`],
    };
  },

  group_aggregate: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const word = AGG_WORDS[need(s.agg, "agg", s.kind)];
    const column = need(s.column, "column", s.kind);
    return {
      formal: [`What is the ${word} ${column} of the ${s.entity} in each ${gc}?`],
      colloquial: [`For every ${gc}, what's the ${word} ${column} of its ${s.entity}?`],
      imperative: [`Compute the ${word} ${column} of ${s.entity} per ${gc}.`],
      concise: [`${capitalize(word)} ${column} of ${s.entity} per ${gc}.`],
    };
  },

  group_having: (s) => {
    const gcs = plural(need(s.groupColumn, "groupColumn", s.kind));
    if (s.agg) {
      const word = AGG_WORDS[s.agg];
      const column = need(s.column, "column", s.kind);
      const value = v(need(s.value, "value", s.kind));
      return {
        formal: [`Which ${gcs} have ${s.entity} with ${article(word)} ${column} above ${value}, and what is that ${word}?`],
        colloquial: [`Which ${gcs} have ${article(word)} ${singularize(s.entity)} ${column} over ${value}? Include the ${word}.`],
        imperative: [`List the ${gcs} whose ${s.entity} have ${article(word)} ${column} greater than ${value}, with that ${word}.`],
        concise: [`${capitalize(gcs)} with ${word} ${column} of ${s.entity} above ${value}, with the ${word}.`],
      };
    }
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
    const [a, b] = (s.aggs ?? ["avg", "max"]).map((x) => AGG_WORDS[x]);
    return {
      formal: [`For each ${gc}, what are the number of ${s.entity}, the ${a} ${column} and the ${b} ${column}?`],
      colloquial: [`Per ${gc}, how many ${s.entity} are there, and what are their ${a} and ${b} ${column}?`],
      imperative: [`For every ${gc}, give the number of ${s.entity}, the ${a} ${column} and the ${b} ${column}.`],
      concise: [`Count, ${a} ${column} and ${b} ${column} of ${s.entity} per ${gc}.`],
    };
  },

  top_k: (s) => {
    const column = need(s.column, "column", s.kind);
    const k = need(s.k, "k", s.kind);
    const sup = s.direction === "asc" ? "lowest" : "highest";
    const cond = whoseSuffix(s);
    const among = cond ? ` among the ${s.entity}${cond}` : "";
    const show = s.label ? ` Give their ${shown(s.label)} and ${column}.` : "";
    const showing = s.label ? `, showing ${s.label} and ${column}` : "";
    return {
      formal: [`What are the ${k} ${s.entity} with the ${sup} ${column}${among}?${show}`],
      colloquial: [`Which ${k} ${s.entity} have the ${sup} ${column}${among}?${show}`],
      imperative: [`List the ${k} ${s.entity} with the ${sup} ${column}${among}${showing}.`],
      concise: [`The ${k} ${s.entity} with the ${sup} ${column}${among}.`],
    };
  },

  group_count_top: (s) => {
    const gcs = plural(need(s.groupColumn, "groupColumn", s.kind));
    const k = need(s.k, "k", s.kind);
    if (s.direction === "asc") {
      return {
        formal: [`Which ${k} ${gcs} have the fewest ${s.entity}, and how many does each have? Order by the count, lowest first, then alphabetically.`],
        colloquial: [`What are the ${k} ${gcs} with the fewest ${s.entity}, with their counts, fewest first?`],
        imperative: [`Show the ${k} ${gcs} with the lowest number of ${s.entity}, with each count, from fewest to most.`],
        concise: [`Bottom ${k} ${gcs} by number of ${s.entity}, lowest first.`],
      };
    }
    return {
      formal: [`Which ${k} ${gcs} have the most ${s.entity}, and how many does each have? Order by the count, highest first, then alphabetically.`],
      colloquial: [`What are the top ${k} ${gcs} by number of ${s.entity}, with their counts?`],
      imperative: [`Show the ${k} ${gcs} with the highest number of ${s.entity}, with each count, from most to fewest.`],
      concise: [`Top ${k} ${gcs} by number of ${s.entity}.`],
    };
  },

  group_aggregate_top: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const gcs = plural(gc);
    const word = AGG_WORDS[need(s.agg, "agg", s.kind)];
    const column = need(s.column, "column", s.kind);
    const k = need(s.k, "k", s.kind);
    const sup = s.direction === "asc" ? "lowest" : "highest";
    return {
      formal: [`Which ${k} ${gcs} have the ${sup} ${word} ${column} of ${s.entity}, and what is it? Order by that ${word}, ${sup} first, then by ${gc}.`],
      colloquial: [`What are the ${k} ${gcs} whose ${s.entity} have the ${sup} ${word} ${column}? Show the ${word} too, ${sup} first.`],
      imperative: [`List the ${k} ${gcs} with the ${sup} ${word} ${column} of ${s.entity}, with that ${word}, ${sup} first.`],
      concise: [`${k} ${gcs} with the ${sup} ${word} ${singularize(s.entity)} ${column}, ${sup} first.`],
    };
  },
} satisfies Partial<Record<QueryShape, Phrasing>>;

