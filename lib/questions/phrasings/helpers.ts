// Shared wording for question phrasings: plurals, articles, aggregates, conditions and relations.
import type { QueryShape } from "@/lib/queries/shapes";
import { pluralize, singularize } from "@/lib/questions/naming";
import type { AggregateName, QuestionCondition, QuestionSeed, SlotValue } from "@/lib/questions/seed";

import type { TemplateStyle } from "@/lib/questions/styles";

/** Styles every phrasing writes by hand; interrogative and descriptive follow from them (see templates.ts) unless given. */
export type BaseStyle = "formal" | "colloquial" | "imperative" | "concise";
export type Variants = Record<BaseStyle, string[]> & Partial<Record<Exclude<TemplateStyle, BaseStyle>, string[]>>;
export type Phrasing = (s: QuestionSeed) => Variants;

export { pluralize, singularize };

export function v(value: SlotValue | undefined): string {
  return value === undefined ? "" : String(value);
}

export function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** Plural of a column phrase; short codes ("tz", "iso") read better as "tz values". */
export function plural(phrase: string): string {
  const last = phrase.split(" ").pop() ?? phrase;
  return last.length <= 3 || !/[aeiouy]/.test(last) ? `${phrase} values` : pluralize(phrase);
}

/** A shown column: names and codes pluralize ("names"), other columns stay as they are ("altitude"). */
export function shown(label: string): string {
  return /(name|title|code|label)$/.test(label) ? plural(label) : label;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function need<T>(value: T | undefined, slot: string, kind: QueryShape): T {
  if (value === undefined || value === null) throw new Error(`Question seed of kind ${kind} lacks "${slot}".`);
  return value;
}

export const AGG_WORDS: Record<AggregateName, string> = { avg: "average", min: "minimum", max: "maximum", sum: "total" };

/** "minimum, maximum and average" */
export function listWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** "France, Japan or Peru" */
export function orList(values: SlotValue[]): string {
  const words = values.map(v);
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

const OP_WORDS = { "=": "is", "<>": "is not", "<": "is less than", "<=": "is at most", ">": "is greater than", ">=": "is at least" } as const;

/** "country is France", "altitude is greater than 100". */
export function condition(c: QuestionCondition): string {
  return `${c.column} ${OP_WORDS[c.op]} ${v(c.value)}`;
}

/** "whose country is France and whose altitude is greater than 100". */
export function whose(conditions: QuestionCondition[], connector: "and" | "or" = "and"): string {
  return conditions.map((c) => `whose ${condition(c)}`).join(` ${connector} `);
}

/** " whose country is France" or "" when the seed has no conditions. */
export function whoseSuffix(s: QuestionSeed): string {
  return s.conditions && s.conditions.length > 0 ? ` ${whose(s.conditions, s.connector)}` : "";
}

/** "where the airline's country is France and the source airport's type is port". */
export function where(conditions: QuestionCondition[]): string {
  return `where ${conditions.map((c) => `the ${condition(c)}`).join(" and ")}`;
}

/** Whether the role names the entity itself ("airline" of airlines): the child simply belongs to it. */
export function owns(s: QuestionSeed): boolean {
  return need(s.via, "via", s.kind) === singularize(s.entity);
}

/** How a parent entity relates to child rows through a foreign key role ("have routes", "are the source airport of a route"). */
export function relation(s: QuestionSeed, negative: boolean): string {
  const child = need(s.parent, "parent", s.kind);
  const one = singularize(child);
  const via = need(s.via, "via", s.kind);
  if (negative) return owns(s) ? `have no ${child}` : `are not the ${via} of any ${one}`;
  return owns(s) ? `have at least one ${one}` : `are the ${via} of at least one ${one}`;
}

