// Phrasings of the subquery, set-operation and CTE shapes.
import type { QueryShape } from "@/lib/queries/shapes";
import type { QuestionSeed } from "@/lib/questions/seed";
import {
  AGG_WORDS, capitalize, need, owns, plural, pluralize, relation, shown, singularize, v, whose, type Phrasing, type Variants,
} from "@/lib/questions/phrasings/helpers";

/** Set operations over the values of one kind that two tables hold. */
function acrossTables(s: QuestionSeed, op: "union" | "except" | "intersect"): Variants {
  const gc = need(s.groupColumn, "groupColumn", s.kind);
  const other = need(s.other, "other", s.kind);
  if (op === "union") {
    return {
      formal: [`Which ${plural(gc)} appear among either the ${s.entity} or the ${other}?`],
      colloquial: [`What ${plural(gc)} show up in ${s.entity} or in ${other}?`],
      imperative: [`List every ${gc} that appears in ${s.entity} or ${other}, without duplicates.`],
      concise: [`${capitalize(plural(gc))} of ${s.entity} or ${other}.`],
    };
  }
  if (op === "except") {
    return {
      formal: [`Which ${plural(gc)} appear among the ${s.entity} but not among the ${other}?`],
      colloquial: [`What ${plural(gc)} have ${s.entity} but no ${other}?`],
      imperative: [`List the ${plural(gc)} found in ${s.entity} that never appear in ${other}.`],
      concise: [`${capitalize(plural(gc))} of ${s.entity} not found in ${other}.`],
    };
  }
  return {
    formal: [`Which ${plural(gc)} appear among both the ${s.entity} and the ${other}?`],
    colloquial: [`What ${plural(gc)} have both ${s.entity} and ${other}?`],
    imperative: [`List the ${plural(gc)} that appear in ${s.entity} and also in ${other}.`],
    concise: [`${capitalize(plural(gc))} shared by ${s.entity} and ${other}.`],
  };
}

/** Set operations over the rows two predicates pick in one table. */
function withinTable(s: QuestionSeed, op: "union" | "except" | "intersect"): Variants {
  const labels = shown(need(s.label, "label", s.kind));
  const [a, b] = need(s.conditions, "conditions", s.kind);
  const one = singularize(s.entity);
  const first = whose([a]);
  const second = whose([b]);
  if (op === "union") {
    return {
      formal: [`Which distinct ${labels} belong to ${s.entity} ${first} or to ${s.entity} ${second}?`],
      colloquial: [`What ${labels} do we get from ${s.entity} ${first}, plus those ${second}, without repeats?`],
      imperative: [`List the distinct ${labels} of ${s.entity} ${first}, together with those of ${s.entity} ${second}.`],
      concise: [`Distinct ${labels} of ${s.entity} ${first} or ${second}.`],
    };
  }
  if (op === "except") {
    return {
      formal: [`Which distinct ${labels} belong to ${s.entity} ${first} but to no ${one} ${second}?`],
      colloquial: [`What ${labels} show up for ${s.entity} ${first}, leaving out any that some ${one} ${second} also has?`],
      imperative: [`List the distinct ${labels} of ${s.entity} ${first}, except those also held by a ${one} ${second}.`],
      concise: [`${capitalize(labels)} of ${s.entity} ${first}, minus those of ${s.entity} ${second}.`],
    };
  }
  return {
    formal: [`Which distinct ${labels} belong both to some ${one} ${first} and to some ${one} ${second}?`],
    colloquial: [`What ${labels} show up both among ${s.entity} ${first} and among ${s.entity} ${second}?`],
    imperative: [`List the distinct ${labels} held both by ${s.entity} ${first} and by ${s.entity} ${second}.`],
    concise: [`${capitalize(labels)} common to ${s.entity} ${first} and ${s.entity} ${second}.`],
  };
}

function setOperation(op: "union" | "except" | "intersect"): Phrasing {
  return (s) => (s.conditions ? withinTable(s, op) : acrossTables(s, op));
}

export const nestedPhrasings = {
  subquery_above_average: (s) => {
    const column = need(s.column, "column", s.kind);
    const above = s.direction === "asc" ? "below" : "above";
    const show = s.label ? ` Give their ${shown(s.label)} and ${column}.` : "";
    return {
      formal: [`Which ${s.entity} have ${column} ${above} the average ${column} of all ${s.entity}?${show}`],
      colloquial: [`Which ${s.entity} have a ${s.direction === "asc" ? "lower" : "higher"}-than-average ${column}?${show}`],
      imperative: [`List the ${s.entity} whose ${column} is ${s.direction === "asc" ? "less" : "greater"} than the average ${column}${s.label ? `, with ${s.label} and ${column}` : ""}.`],
      concise: [`${capitalize(s.entity)} with ${above}-average ${column}.`],
    };
  },

  subquery_extreme: (s) => {
    const column = need(s.column, "column", s.kind);
    const sup = need(s.agg, "agg", s.kind) === "min" ? "lowest" : "highest";
    const show = s.label ? ` Give their ${shown(s.label)} and ${column}.` : "";
    return {
      formal: [`Which ${s.entity} have the ${sup} ${column} of all ${s.entity} (every one of them if several tie)?${show}`],
      colloquial: [`Which ${s.entity} share the ${sup} ${column} there is?${show}`],
      imperative: [`List all ${s.entity} whose ${column} equals the ${sup} ${column}${s.label ? `, with ${s.label} and ${column}` : ""}.`],
      concise: [`${capitalize(s.entity)} with the ${sup} ${column}, ties included.`],
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

  exists_subquery: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const rel = `${relation(s, false)} ${whose(need(s.conditions, "conditions", s.kind))}`;
    return {
      formal: [`What are the ${labels} of the ${s.entity} that ${rel}?`],
      colloquial: [`Which ${s.entity} ${rel}? Give me their ${labels}.`],
      imperative: [`List the ${labels} of ${s.entity} that ${rel}.`],
      concise: [`${capitalize(labels)} of ${s.entity} that ${rel}.`],
    };
  },

  not_exists: (s) => {
    const rel = relation(s, true);
    if (s.label) {
      const labels = shown(s.label);
      return {
        formal: [`What are the ${labels} of the ${s.entity} that ${rel}?`],
        colloquial: [`Which ${s.entity} ${rel}? Give me their ${labels}.`],
        imperative: [`List the ${labels} of ${s.entity} that ${rel}.`],
        concise: [`${capitalize(labels)} of ${s.entity} that ${rel}.`],
      };
    }
    return {
      formal: [`How many ${s.entity} ${rel}?`],
      colloquial: [`How many ${s.entity} ${rel} at all?`],
      imperative: [`Count the ${s.entity} that ${rel}.`],
      concise: [`Number of ${s.entity} that ${rel}.`],
    };
  },

  correlated_subquery: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const column = need(s.column, "column", s.kind);
    const one = singularize(s.entity);
    if (need(s.agg, "agg", s.kind) === "avg") {
      return {
        formal: [`How many ${s.entity} have ${column} above the average ${column} of the ${s.entity} with the same ${gc}?`],
        colloquial: [`How many ${s.entity} beat the average ${column} of their own ${gc}?`],
        imperative: [`Count the ${s.entity} whose ${column} is greater than the average ${column} of ${s.entity} sharing their ${gc}.`],
        concise: [`Number of ${s.entity} with ${column} above their ${gc}'s average.`],
      };
    }
    const sup = s.agg === "min" ? "lowest" : "highest";
    const label = need(s.label, "label", s.kind);
    return {
      formal: [`For each ${gc}, which ${one} has the ${sup} ${column}? Give the ${gc}, ${label} and ${column}, including ties.`],
      colloquial: [`In every ${gc}, what's the ${one} with the ${sup} ${column}? Show ${gc}, ${label} and ${column}; keep ties.`],
      imperative: [`List each ${one} whose ${column} is the ${sup} among the ${s.entity} of its ${gc}, with ${gc}, ${label} and ${column}.`],
      concise: [`${capitalize(one)} with the ${sup} ${column} per ${gc}, ties included.`],
    };
  },

  scalar_subquery_select: (s) => {
    const label = need(s.label, "label", s.kind);
    const child = need(s.parent, "parent", s.kind);
    const via = need(s.via, "via", s.kind);
    const one = singularize(s.entity);
    const cond = `whose ${need(s.groupColumn, "groupColumn", s.kind)} is ${v(s.value)}`;
    const counted = owns(s) ? `the number of ${child} it has` : `the number of ${child} it is the ${via} of`;
    return {
      formal: [`For each ${one} ${cond}, what are its ${label} and ${counted}?`],
      colloquial: [`Take the ${s.entity} ${cond}: what's each one's ${label}, and ${counted}?`],
      imperative: [`List every ${one} ${cond} with its ${label} and ${counted} (zero if none).`],
      concise: [`${capitalize(label)} and ${counted}, for each ${one} ${cond}.`],
      descriptive: [`I am looking for every ${one} ${cond}, with its ${label} and ${counted}.`],
    };
  },

  derived_table: (s) => {
    const word = AGG_WORDS[need(s.agg, "agg", s.kind)];
    const one = singularize(s.entity);
    if (s.via) {
      const child = need(s.parent, "parent", s.kind);
      const per = owns(s) ? `per ${one}` : `per ${one} (as ${s.via})`;
      return {
        formal: [`Among the ${s.entity} that ${relation(s, false)}, what is the ${word} number of ${child} ${per}?`],
        colloquial: [`Counting ${child} ${per}, over the ${s.entity} that ${relation(s, false)}, what's the ${word} count?`],
        imperative: [`Count the ${child} ${per} (only ${s.entity} that ${relation(s, false)}), then give the ${word} of those counts.`],
        concise: [`${capitalize(word)} number of ${child} ${per}.`],
      };
    }
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    return {
      formal: [`What is the ${word} number of ${s.entity} per ${gc}, over the ${plural(gc)} that occur?`],
      colloquial: [`If you count ${s.entity} for each ${gc}, what's the ${word} of those counts?`],
      imperative: [`Count the ${s.entity} per ${gc}, then give the ${word} of those counts.`],
      concise: [`${capitalize(word)} number of ${s.entity} per ${gc}.`],
    };
  },

  set_union: setOperation("union"),
  set_except: setOperation("except"),
  set_intersect: setOperation("intersect"),

  cte: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const gcs = plural(gc);
    const column = need(s.column, "column", s.kind);
    const k = need(s.k, "k", s.kind);
    const word = AGG_WORDS[s.agg ?? "avg"];
    return {
      formal: [`Which ${k} ${gcs} have the highest ${word} ${column} of ${s.entity}, and what are those values, highest first?`],
      colloquial: [`What are the top ${k} ${gcs} by ${word} ${column} of their ${s.entity}?`],
      imperative: [`Compute the ${word} ${column} of ${s.entity} per ${gc} and list the ${k} ${gcs} with the highest values, highest first.`],
      concise: [`The ${k} ${gcs} with the highest ${word} ${singularize(s.entity)} ${column}.`],
    };
  },

  cte_join: (s) => {
    const via = need(s.via, "via", s.kind);
    const vias = pluralize(via);
    const label = need(s.label, "label", s.kind);
    const k = need(s.k, "k", s.kind);
    const ties = `ties broken by the ${via}'s identifier`;
    if (s.agg) {
      const word = AGG_WORDS[s.agg];
      const column = need(s.column, "column", s.kind);
      return {
        formal: [`Which ${k} ${vias} have the highest ${word} ${column} over their ${s.entity}? Give each ${via}'s ${label} and that ${word}, highest first, ${ties}.`],
        colloquial: [`What are the top ${k} ${vias} by ${word} ${column} of their ${s.entity}? Show the ${label} and the ${word}, highest first (${ties}).`],
        imperative: [`List the ${shown(label)} of the ${k} ${vias} with the highest ${word} ${column} of ${s.entity}, with that ${word}, highest first, ${ties}.`],
        concise: [`Top ${k} ${vias} by ${word} ${column} of ${s.entity}, with ${label}, highest first, ${ties}.`],
      };
    }
    return {
      formal: [`Which ${k} ${vias} have the most ${s.entity}? Give each ${via}'s ${label} and its number of ${s.entity}, most first, ${ties}.`],
      colloquial: [`What are the top ${k} ${vias} by number of ${s.entity}? Show the ${label} and the count, most first (${ties}).`],
      imperative: [`List the ${shown(label)} of the ${k} ${vias} with the most ${s.entity}, with their counts, most first, ${ties}.`],
      concise: [`Top ${k} ${vias} by number of ${s.entity}, with ${label}, most first, ${ties}.`],
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

  recursive_cte: (s) => {
    const via = need(s.via, "via", s.kind);
    const one = singularize(s.entity);
    const start = `the ${s.entity} whose ${need(s.groupColumn, "groupColumn", s.kind)} is ${v(s.value)}`;
    const tree = `${start}, the ${s.entity} whose ${via} is one of them, and so on at any depth`;
    if (s.label) {
      const labels = shown(s.label);
      return {
        formal: [`What are the ${labels} of every ${one} in the hierarchy under ${start}, those included (following ${via} links down at any depth)?`],
        colloquial: [`Starting from ${start}, which ${s.entity} sit below them at any depth through ${via} links? Include the starting ones and give the ${labels}.`],
        imperative: [`List the ${labels} of ${tree}.`],
        concise: [`${capitalize(labels)} of ${tree}.`],
      };
    }
    return {
      formal: [`How many ${s.entity} are in the hierarchy under ${start}, those included (following ${via} links down at any depth)?`],
      colloquial: [`Starting from ${start}, how many ${s.entity} sit below them at any depth through ${via} links, counting the starting ones?`],
      imperative: [`Count ${tree}.`],
      concise: [`Number of ${s.entity} at any depth in the ${via} hierarchy under ${start}, included.`],
    };
  },
} satisfies Partial<Record<QueryShape, Phrasing>>;
