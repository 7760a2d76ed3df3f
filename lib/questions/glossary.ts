// The project's own words in template questions. Where the glossary describes a table or a column,
// a short term taken from the description replaces the words made from the schema name
// ("airlines" → "carriers"), in the name slots of a question seed only: values, literals, limits
// and orderings are never touched, so every invariant of the templates still holds.
//
// The term rule (glossaryTerm):
// - the description up to its first period, colon, semicolon, comma, question or exclamation mark,
//   parenthesis, line break or dash (an en or em dash, or a hyphen with spaces around it);
// - a leading "the", "a" or "an" dropped;
// - kept only when it is a plain noun phrase of 1 to 4 words: letters, digits, inner hyphens and
//   apostrophes, and no function word (of, for, with, and, in, that…), so it can be put in the
//   plural and slotted into any phrasing; anything else leaves the schema's words;
// - lower-cased, except acronyms and mixed-case words ("ISO", "OpenFlights"), and capitalized
//   words after the first (proper nouns) unless every word is capitalized (Title Case).
// Sensitive entries are not used: what is marked sensitive stays out of prompts and exports, and
// questions are exported, so their descriptions never reach a question.
import type { SchemaModel } from "@/lib/schema/model";
import { humanizeColumn, humanizeTable, pluralize, singularize } from "@/lib/questions/naming";
import type { QuestionSeed } from "@/lib/questions/seed";

/** Terms from the glossary, keyed "table" and "table.column" (lower-cased). */
export type Vocabulary = Map<string, string>;

export interface GlossaryTermSource {
  tableName: string;
  /** "" for the table itself. */
  columnName: string;
  description: string | null;
  sensitive: boolean;
}

const CUT = /[.:;,!?()[\]\n\r]|\s[-‐]\s|[–—]/;
const FUNCTION_WORDS = new Set(
  [
    "of", "for", "with", "without", "and", "or", "nor", "but", "in", "into", "on", "at", "by", "to", "from", "per", "between", "among",
    "that", "which", "who", "whom", "whose", "where", "when", "while", "if", "is", "are", "was", "were", "be", "been", "has", "have", "had",
    "this", "these", "those", "its", "their", "each", "every", "not", "no", "as", "than", "via", "about", "used", "e.g", "i.e",
  ],
);
const WORD = /^[\p{L}\p{N}][\p{L}\p{N}'’-]*$/u;
const MAX_WORDS = 4;

/** A word kept as written: an acronym ("ISO", "IATA") or a mixed-case name ("OpenFlights"). */
function keepsCase(word: string): boolean {
  return (word.length >= 2 && word === word.toUpperCase() && /\p{Lu}/u.test(word)) || /\p{Ll}\p{Lu}/u.test(word);
}

const isCapitalized = (word: string) => /^\p{Lu}/u.test(word);

/** The short natural term a glossary description starts with, or null when it does not start with one. */
export function glossaryTerm(description: string | null | undefined): string | null {
  if (!description) return null;
  const head = description.trim().split(CUT)[0]!.trim().replace(/^(the|a|an)\s+/i, "");
  const words = head.split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > MAX_WORDS) return null;
  if (!words.every((w) => WORD.test(w) && !FUNCTION_WORDS.has(w.toLowerCase()))) return null;
  if (!words.some((w) => /\p{L}/u.test(w))) return null;
  const titleCase = words.length > 1 && words.every(isCapitalized);
  return words.map((w, i) => (keepsCase(w) || (i > 0 && !titleCase && isCapitalized(w)) ? w : w.toLowerCase())).join(" ");
}

/** The vocabulary of a project's glossary: one term per described, non-sensitive table or column. */
export function buildVocabulary(entries: readonly GlossaryTermSource[]): Vocabulary {
  const vocabulary: Vocabulary = new Map();
  for (const e of entries) {
    if (e.sensitive) continue;
    const term = glossaryTerm(e.description);
    if (!term) continue;
    vocabulary.set((e.columnName ? `${e.tableName}.${e.columnName}` : e.tableName).toLowerCase(), term);
  }
  return vocabulary;
}

/** Identifiers a SQL text names (bare or double-quoted), lower-cased; string literals and comments are skipped. */
export function sqlIdentifiers(sql: string): Set<string> {
  const text = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, " ");
  const out = new Set<string>();
  for (const m of text.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)/g)) out.add((m[1] ?? m[2]!).replace(/""/g, '"').toLowerCase());
  return out;
}

interface Claims {
  table: Set<string | null>;
  column: Set<string | null>;
}

/**
 * Replacements (schema words → glossary term) for one query: only the tables and columns its SQL
 * names are considered, and a phrase two of them would render differently (airports.name has a
 * term, airlines.name none) is left alone, since the seed does not say which one it meant.
 * Column terms win over table terms for the same words.
 */
export function seedVocabulary(model: SchemaModel, sql: string, vocabulary: Vocabulary): Map<string, string> {
  const out = new Map<string, string>();
  if (vocabulary.size === 0) return out;
  const named = sqlIdentifiers(sql);
  const claims = new Map<string, Claims>();
  const claim = (phrase: string, kind: keyof Claims, term: string | null) => {
    let c = claims.get(phrase);
    if (!c) claims.set(phrase, (c = { table: new Set(), column: new Set() }));
    c[kind].add(term);
  };
  for (const t of model.tables) {
    if (!named.has(t.name.toLowerCase())) continue;
    const tableTerm = vocabulary.get(t.name.toLowerCase()) ?? null;
    const plural = pluralize(humanizeTable(t.name));
    claim(plural, "table", tableTerm && pluralize(singularize(tableTerm)));
    claim(singularize(plural), "table", tableTerm && singularize(tableTerm));
    for (const c of t.columns) {
      if (!named.has(c.name.toLowerCase())) continue;
      const term = vocabulary.get(`${t.name}.${c.name}`.toLowerCase()) ?? null;
      claim(humanizeColumn(c.name), "column", term);
      claim(humanizeTable(c.name), "column", term);
    }
  }
  for (const [phrase, c] of claims) {
    const column = [...c.column];
    const table = [...c.table];
    let term: string | null = null;
    if (column.some((x) => x !== null)) term = column.length === 1 ? column[0]! : null;
    else if (table.length === 1) term = table[0]!;
    if (term && term !== phrase) out.set(phrase, term);
  }
  return out;
}

const NAME_SLOTS = ["entity", "column", "label", "groupColumn", "parent", "via", "other", "otherVia", "otherLabel", "measure", "orderColumn"] as const;

/** The seed with schema words replaced (whole words, longest first, one pass) in its name slots only. */
export function rewordSeed(seed: QuestionSeed, replacements: Map<string, string>): QuestionSeed {
  if (replacements.size === 0) return seed;
  const phrases = [...replacements.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(${phrases.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}_])`, "gu");
  const reword = (text: string) => text.replace(pattern, (m) => replacements.get(m) ?? m);
  const out: QuestionSeed = { ...seed };
  for (const slot of NAME_SLOTS) {
    const value = out[slot];
    if (typeof value === "string") out[slot] = reword(value);
  }
  if (seed.conditions) out.conditions = seed.conditions.map((c) => ({ ...c, column: reword(c.column) }));
  return out;
}

/** A seed in the glossary's words, for the query `sql` over `model`. */
export function applyVocabulary(seed: QuestionSeed, model: SchemaModel, sql: string, vocabulary: Vocabulary): QuestionSeed {
  return rewordSeed(seed, seedVocabulary(model, sql, vocabulary));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
