// Phrasings of the join shapes.
import type { QueryShape } from "@/lib/queries/shapes";
import {
  AGG_WORDS, article, capitalize, need, pluralize, relation, shown, singularize, v, where, whoseSuffix, type Phrasing,
} from "@/lib/questions/phrasings/helpers";

export const joinPhrasings = {
  join_filter: (s) => {
    const via = need(s.via, "via", s.kind);
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    if (s.label) {
      const labels = shown(s.label);
      return {
        formal: [`What are the ${labels} of the ${s.entity} whose ${via} has ${gc} ${v(s.value)}?`],
        colloquial: [`Which ${s.entity} have ${article(via)} with ${gc} ${v(s.value)}? Give me their ${labels}.`],
        imperative: [`List the ${labels} of ${s.entity} whose ${via} has ${gc} ${v(s.value)}.`],
        concise: [`${capitalize(labels)} of ${s.entity} where the ${via} ${gc} is ${v(s.value)}.`],
      };
    }
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
    const rows = `${s.entity}${whoseSuffix(s)}`;
    return {
      formal: [`Which ${k} ${vias} have the most ${rows}? Give each ${via} ${label} with its number of ${s.entity}, highest first.`],
      colloquial: [`What are the top ${k} ${vias} by number of ${rows}? Show the ${label} and the count.`],
      imperative: [`List the ${shown(label)} of the ${k} ${vias} with the most ${rows}, with the number of ${s.entity}, most first.`],
      concise: [`Top ${k} ${vias} (by ${label}) by number of ${rows}.`],
    };
  },

  join_group_aggregate: (s) => {
    const via = need(s.via, "via", s.kind);
    const gc = `${via} ${need(s.groupColumn, "groupColumn", s.kind)}`;
    const word = AGG_WORDS[need(s.agg, "agg", s.kind)];
    const column = need(s.column, "column", s.kind);
    return {
      formal: [`For each ${gc}, what is the ${word} ${column} of the ${s.entity}?`],
      colloquial: [`Grouping ${s.entity} by their ${gc}, what's the ${word} ${column} in each group?`],
      imperative: [`Compute the ${word} ${column} of ${s.entity} per ${gc}.`],
      concise: [`${capitalize(word)} ${column} of ${s.entity} per ${gc}.`],
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

  join_path: (s) => {
    if (s.conditions) {
      const cond = where(s.conditions);
      return {
        formal: [`How many ${s.entity} are there ${cond}?`],
        colloquial: [`How many ${s.entity} do we have ${cond}?`],
        imperative: [`Count the ${s.entity} ${cond}.`],
        concise: [`Number of ${s.entity} ${cond}.`],
      };
    }
    const label = need(s.label, "label", s.kind);
    const k = need(s.k, "k", s.kind);
    return {
      formal: [`Counting ${s.entity} by their ${label}, which ${k} values have the most ${s.entity}? Give each with its count, highest first.`],
      colloquial: [`Which ${k} values of the ${label} come up in the most ${s.entity}, and how many each? Most first.`],
      imperative: [`Group the ${s.entity} by ${label} and list the ${k} values with the most ${s.entity}, with their counts, most first.`],
      concise: [`Top ${k} values of ${label} by number of ${s.entity}.`],
    };
  },

  join_three: (s) => {
    const cond = where(need(s.conditions, "conditions", s.kind));
    return {
      formal: [`How many ${s.entity} are there ${cond}?`],
      colloquial: [`How many ${s.entity} do we have ${cond}?`],
      imperative: [`Count the ${s.entity} ${cond}.`],
      concise: [`Number of ${s.entity} ${cond}.`],
    };
  },

  join_self: (s) => {
    const via = need(s.via, "via", s.kind);
    const one = singularize(s.entity);
    if (s.compare) {
      const gc = need(s.groupColumn, "groupColumn", s.kind);
      const word = s.compare === "same" ? "the same" : "a different";
      if (s.otherVia) {
        const both = `${article(via)} and ${article(s.otherVia)} with ${word} ${gc}`;
        return {
          formal: [`How many ${s.entity} have ${both}?`],
          colloquial: [`How many ${s.entity} connect ${article(via)} and ${article(s.otherVia)} that have ${word} ${gc}?`],
          imperative: [`Count the ${s.entity} whose ${via} and ${s.otherVia} have ${word} ${gc}.`],
          concise: [`Number of ${s.entity} where ${via} and ${s.otherVia} have ${word} ${gc}.`],
        };
      }
      return {
        formal: [`How many ${s.entity} have ${word} ${gc} as their ${via}?`],
        colloquial: [`How many ${s.entity} share their ${gc} with their ${via}?`],
        imperative: [`Count the ${s.entity} whose ${gc} is ${s.compare === "same" ? "the same as" : "different from"} their ${via}'s ${gc}.`],
        concise: [`Number of ${s.entity} with ${word} ${gc} as their ${via}.`],
      };
    }
    const label = need(s.label, "label", s.kind);
    if (s.otherVia) {
      const show = `${via} ${label} and the ${s.otherVia} ${label}`;
      const cond = where(need(s.conditions, "conditions", s.kind));
      return {
        formal: [`What are the ${show} of the ${s.entity} ${cond}?`],
        colloquial: [`For ${s.entity} ${cond}, what are the ${show}?`],
        imperative: [`List the ${show} of every ${one} ${cond}.`],
        concise: [`${capitalize(show)} of ${s.entity} ${cond}.`],
      };
    }
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const cond = `whose ${via} has ${gc} ${v(s.value)}`;
    return {
      formal: [`What are the ${shown(label)} of the ${s.entity} ${cond}, together with that ${via}'s ${label}?`],
      colloquial: [`Which ${s.entity} have ${article(via)} with ${gc} ${v(s.value)}? Show each ${label} next to the ${via}'s ${label}.`],
      imperative: [`List each ${one} ${cond}: its ${label} and its ${via}'s ${label}.`],
      concise: [`${capitalize(shown(label))} of ${s.entity} ${cond}, with the ${via}'s ${label}.`],
    };
  },

  join_anti: (s) => {
    const rel = relation(s, true);
    if (s.label) {
      const labels = shown(s.label);
      return {
        formal: [`What are the ${labels} of the ${s.entity} that ${rel}?`],
        colloquial: [`Which ${s.entity} ${rel} at all? Just their ${labels}.`],
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
} satisfies Partial<Record<QueryShape, Phrasing>>;
