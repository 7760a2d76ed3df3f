// Phrasings of the selection shapes: rows (or their count) picked by one kind of predicate.
import type { QueryShape } from "@/lib/queries/shapes";
import { article, capitalize, need, orList, plural, shown, v, whose, whoseSuffix, type Phrasing } from "@/lib/questions/phrasings/helpers";

export const selectionPhrasings = {
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

  filter_not_equals: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const value = v(need(s.value, "value", s.kind));
    return {
      formal: [`How many ${s.entity} have a ${gc} other than ${value}?`],
      colloquial: [`How many ${s.entity} have some ${gc} that isn't ${value}?`],
      imperative: [`Count the ${s.entity} whose ${gc} is set and is not ${value}.`],
      concise: [`Number of ${s.entity} with ${gc} not equal to ${value}.`],
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
      descriptive: [`I am looking for the number of ${s.entity} with ${column} ${cmp} ${v(s.value)}.`],
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

  filter_in_list: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const values = orList(need(s.values, "values", s.kind));
    return {
      formal: [`What are the ${labels} of the ${s.entity} whose ${gc} is ${values}?`],
      colloquial: [`Which ${s.entity} have ${gc} ${values}? I just need the ${labels}.`],
      imperative: [`List the ${labels} of ${s.entity} with ${gc} equal to ${values}.`],
      concise: [`${capitalize(labels)} of ${s.entity} whose ${gc} is one of: ${values}.`],
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

  filter_like_contains: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const column = need(s.column, "column", s.kind);
    const piece = `"${need(s.substring, "substring", s.kind)}"`;
    return {
      formal: [`What are the ${labels} of the ${s.entity} whose ${column} contains ${piece} (case-sensitive)?`],
      colloquial: [`Which ${s.entity} have ${piece} somewhere in their ${column}, matching case? Give me the ${labels}.`],
      imperative: [`List the ${labels} of ${s.entity} whose ${column} contains the text ${piece}, case-sensitive.`],
      concise: [`${capitalize(labels)} of ${s.entity} with ${column} containing ${piece} (case-sensitive).`],
    };
  },

  filter_is_null: (s) => {
    const column = need(s.column, "column", s.kind);
    return {
      formal: [`How many ${s.entity} have no ${column} recorded?`],
      colloquial: [`How many ${s.entity} are missing their ${column}?`],
      imperative: [`Count the ${s.entity} whose ${column} is empty (NULL).`],
      concise: [`Number of ${s.entity} without ${article(column)}.`],
    };
  },

  filter_is_not_null: (s) => {
    const column = need(s.column, "column", s.kind);
    return {
      formal: [`How many ${s.entity} have a ${column} recorded?`],
      colloquial: [`How many ${s.entity} actually have their ${column} filled in?`],
      imperative: [`Count the ${s.entity} whose ${column} is not empty (not NULL).`],
      concise: [`Number of ${s.entity} with a known ${column}.`],
    };
  },

  filter_compound: (s) => {
    const labels = shown(need(s.label, "label", s.kind));
    const conds = whose(need(s.conditions, "conditions", s.kind), s.connector);
    return {
      formal: [`What are the ${labels} of the ${s.entity} ${conds}?`],
      colloquial: [`Which ${s.entity} are there ${conds}? Just the ${labels}.`],
      imperative: [`List the ${labels} of ${s.entity} ${conds}.`],
      concise: [`${capitalize(labels)} of ${s.entity} ${conds}.`],
    };
  },

  distinct_values: (s) => {
    const gc = need(s.groupColumn, "groupColumn", s.kind);
    const gcs = plural(gc);
    const cond = whoseSuffix(s);
    return {
      formal: [`What are the distinct ${gcs} of the ${s.entity}${cond}?`],
      colloquial: [`Which different ${gcs} show up among the ${s.entity}${cond}?`],
      imperative: [`List each distinct ${gc} that appears in ${s.entity}${cond}.`],
      concise: [`Distinct ${gcs} of ${s.entity}${cond}.`],
    };
  },
} satisfies Partial<Record<QueryShape, Phrasing>>;

