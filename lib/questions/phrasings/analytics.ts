// Phrasings of the window, date, conditional (CASE) and ratio shapes.
import type { QueryShape } from "@/lib/queries/shapes";
import { capitalize, condition, need, plural, shown, singularize, v, type Phrasing } from "@/lib/questions/phrasings/helpers";

export const analyticsPhrasings = {
  window_rank: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const column = need(s.column, "column", s.kind);
    const one = singularize(s.entity);
    const label = need(s.label, "label", s.kind);
    const sup = s.direction === "asc" ? "lowest" : "highest";
    return {
      formal: [`For each ${gc}, which ${one} has the ${sup} ${column}? Give the ${gc}, ${label} and ${column}, ordered by ${gc}.`],
      colloquial: [`What's the ${one} with the ${sup} ${column} in every ${gc}? Show ${gc}, ${label} and ${column}, sorted by ${gc}.`],
      imperative: [`List, for every ${gc}, the ${one} with the ${sup} ${column} (including ties), showing ${gc}, ${label} and ${column}, ordered by ${gc}.`],
      concise: [`${capitalize(one)} with the ${sup} ${column} per ${gc}, ordered by ${gc}.`],
    };
  },

  window_dense_rank: (s) => {
    const column = need(s.column, "column", s.kind);
    const label = need(s.label, "label", s.kind);
    const sup = s.direction === "asc" ? "lowest" : "highest";
    const group = `the ${s.entity} whose ${need(s.groupColumn, "groupColumn", s.kind)} is ${v(s.value)}`;
    return {
      formal: [`Rank ${group} by ${column}, ${sup} first, with equal values sharing a rank and no gaps. Give ${label}, ${column} and the rank, in rank order.`],
      colloquial: [`Among ${group}, how does each rank on ${column} (${sup} = 1, ties share a rank, no gaps)? Show ${label}, ${column} and rank, ordered by rank.`],
      imperative: [`List ${group} with their ${label}, ${column} and dense rank by ${column} (${sup} first), ordered by rank.`],
      concise: [`Dense rank by ${column} (${sup} first) of ${group}, with ${label} and ${column}, in rank order.`],
    };
  },

  window_running_total: (s) => {
    const column = need(s.column, "column", s.kind);
    const label = need(s.label, "label", s.kind);
    const order = need(s.orderColumn, "orderColumn", s.kind);
    const group = `the ${s.entity} whose ${need(s.groupColumn, "groupColumn", s.kind)} is ${v(s.value)}`;
    return {
      formal: [`For ${group}, taken in order of ${order}, what are the ${label}, the ${column} and the running total of ${column}?`],
      colloquial: [`Going through ${group} in order of ${order}, show the ${label}, the ${column} and the cumulative ${column} so far.`],
      imperative: [`List ${group} in order of ${order} with their ${label}, ${column} and running total of ${column}.`],
      concise: [`Running total of ${column} over ${group}, in order of ${order}, with ${label}.`],
    };
  },

  window_share: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    if (s.column) {
      return {
        formal: [`For each ${gc}, what is the total ${s.column} of the ${s.entity}, and what percentage of the overall total (over ${s.entity} with a ${gc}) is it?`],
        colloquial: [`Per ${gc}, what's the total ${s.column} of ${s.entity}, and its share in percent of the grand total?`],
        imperative: [`Give, for every ${gc}, the total ${s.column} of its ${s.entity} and that total as a percentage of the sum over all ${plural(gc)}.`],
        concise: [`Total ${s.column} of ${s.entity} per ${gc}, with its percentage of the whole.`],
      };
    }
    return {
      formal: [`For each ${gc}, how many ${s.entity} are there, and what percentage of all ${s.entity} with a ${gc} is that?`],
      colloquial: [`Per ${gc}, how many ${s.entity} are there and what share of the total is that, in percent?`],
      imperative: [`Give, for every ${gc}, its number of ${s.entity} and that number as a percentage of all ${s.entity} with a ${gc}.`],
      concise: [`Number of ${s.entity} per ${gc}, with its percentage of the total.`],
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

  date_range: (s) => {
    const column = need(s.column, "column", s.kind);
    const range = `between ${need(s.date, "date", s.kind)} and ${need(s.endDate, "endDate", s.kind)} (both days included)`;
    if (s.label) {
      const show = `${shown(s.label)} and ${column}`;
      return {
        formal: [`Which ${s.entity} have ${column} ${range}? Give their ${show}.`],
        colloquial: [`Which ${s.entity} fall ${range} by ${column}? Show me the ${show}.`],
        imperative: [`List the ${show} of ${s.entity} with ${column} ${range}.`],
        concise: [`${capitalize(show)} of ${s.entity} with ${column} ${range}.`],
      };
    }
    return {
      formal: [`How many ${s.entity} have ${column} ${range}?`],
      colloquial: [`How many ${s.entity} have their ${column} ${range}?`],
      imperative: [`Count the ${s.entity} with ${column} ${range}.`],
      concise: [`Number of ${s.entity} with ${column} ${range}.`],
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

  date_bucket: (s) => {
    const column = need(s.column, "column", s.kind);
    const unit = need(s.unit, "unit", s.kind);
    const value = s.measure ? `the total ${s.measure} of ${s.entity}` : `the number of ${s.entity}`;
    const scope = s.year !== undefined ? ` in ${s.year}` : "";
    return {
      formal: [`What is ${value} for each ${unit} of ${column}${scope}, in ${unit} order? Give the first day of each ${unit}.`],
      colloquial: [`Per ${unit} of ${column}${scope}, what's ${value}? Sort by ${unit}, labelled by the ${unit}'s first day.`],
      imperative: [`Compute ${value} per ${unit} of ${column}${scope}, truncating ${column} to the ${unit}, ordered by ${unit}.`],
      concise: [`${capitalize(value)} per ${column} ${unit}${scope}, in ${unit} order.`],
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

  case_label: (s) => {
    const column = need(s.column, "column", s.kind);
    const label = need(s.label, "label", s.kind);
    const [low, high] = need(s.buckets, "buckets", s.kind);
    const group = `the ${s.entity} whose ${need(s.groupColumn, "groupColumn", s.kind)} is ${v(s.value)}`;
    const rule = `'${high.label}' when ${column} is at least ${low.below}, otherwise '${low.label}'`;
    return {
      formal: [`For ${group} (with a ${column}), what are the ${label}, the ${column} and a level that is ${rule}?`],
      colloquial: [`Take ${group} that have a ${column}: show ${label} and ${column}, tagged ${rule}.`],
      imperative: [`List the ${label} and ${column} of ${group} (${column} known), labelling each ${rule}.`],
      concise: [`${capitalize(label)}, ${column} and level (${rule}) of ${group}.`],
    };
  },

  case_pivot: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const [c] = need(s.conditions, "conditions", s.kind);
    const matching = `${s.entity} whose ${condition(c)}`;
    return {
      formal: [`For each ${gc}, how many ${matching} does it have? Include ${plural(gc)} with none, as 0.`],
      colloquial: [`Per ${gc}, how many ${matching} are there? Show 0 where there are none.`],
      imperative: [`For every ${gc} value among the ${s.entity}, count the ${matching}, with 0 where there are none.`],
      concise: [`Per ${gc}: number of ${matching}, zeros included.`],
      descriptive: [`I am looking for the number of ${matching} for every ${gc} value among the ${s.entity}, with 0 where there are none.`],
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

  ratio_per_group: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const [c] = need(s.conditions, "conditions", s.kind);
    const matching = `${s.entity} whose ${condition(c)}`;
    return {
      formal: [`For each ${gc}, what percentage of its ${s.entity} are ${matching}?`],
      colloquial: [`Per ${gc}, what share of the ${s.entity}, in percent, are ${matching}?`],
      imperative: [`Compute, for every ${gc}, the percentage of its ${s.entity} that are ${matching}.`],
      concise: [`Percentage of ${matching}, per ${gc}.`],
    };
  },

  ratio_of_sums: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const column = need(s.column, "column", s.kind);
    return {
      formal: [`What percentage of the total ${column} of all ${s.entity} comes from ${s.entity} with ${gc} ${v(s.value)}?`],
      colloquial: [`Of all the ${column} across ${s.entity}, what share in percent belongs to those with ${gc} ${v(s.value)}?`],
      imperative: [`Compute the total ${column} of ${s.entity} whose ${gc} is ${v(s.value)} as a percentage of the total ${column} of all ${s.entity}.`],
      concise: [`Share of total ${column} (in percent) from ${s.entity} with ${gc} ${v(s.value)}.`],
    };
  },
} satisfies Partial<Record<QueryShape, Phrasing>>;
