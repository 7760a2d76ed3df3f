// The prompt that travels with a dataset version: used in every export and in evaluation, so a model
// is trained and tested on exactly the same instructions, schema text and message layout.

import type { SchemaModel } from "@/lib/schema/model";
import { renderSchemaPrompt } from "@/lib/schema/prompt";

export const PROMPT_FORMATS = ["full", "compact", "relevant"] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

export const PROMPT_FORMAT_LABELS: Record<PromptFormat, string> = {
  full: "Full DDL of every table",
  compact: "Compact: table(column type, …) per line",
  relevant: "Only the tables each question needs",
};

export const DEFAULT_INSTRUCTIONS = [
  "You are a text-to-SQL assistant. Write one DuckDB SQL query that answers the user's question over the database below.",
  "Answer with the SQL only, in a ```sql code block. Use only the tables and columns shown.",
].join("\n");

export function buildSystemPrompt(schemaPrompt: string, instructions = DEFAULT_INSTRUCTIONS): string {
  return [instructions.trim(), "", schemaPrompt.trim()].join("\n");
}

/** What a version stores of its prompt. */
export interface VersionPrompt {
  systemPrompt: string;
  /** The user message; "{question}" is replaced by the item's question. Empty: the question alone. */
  userTemplate: string;
}

/** What an item stores of its prompt: its own system prompt when the format is "relevant". */
export interface ItemPrompt {
  question: string;
  redactedQuestion?: string | null;
  systemPrompt?: string | null;
}

/** The question a model sees: the redacted one when a scan finding was resolved by redaction. */
export function questionOf(item: ItemPrompt): string {
  return item.redactedQuestion ?? item.question;
}

/** The system and user messages for one item: the same for training exports and evaluation. */
export function promptFor(version: VersionPrompt, item: ItemPrompt): { system: string; user: string } {
  const question = questionOf(item);
  const user = version.userTemplate.trim() ? version.userTemplate.split("{question}").join(question) : question;
  return { system: item.systemPrompt ?? version.systemPrompt, user };
}

/** Why a user template cannot be used, or null when it can (empty means: the question alone). */
export function userTemplateProblem(template: string): string | null {
  if (!template.trim()) return null;
  if (!template.includes("{question}")) return "The user template must contain {question} where the question goes, e.g. \"Question: {question}\".";
  return null;
}

export interface SchemaTextOptions {
  /** "table.column" names kept out of the text (sensitive columns). */
  excludeColumns?: Set<string>;
}

/**
 * One line per table, `table(column type PK, column type → other.column, …)`, for models with a
 * short context: keys stay visible as hints, constraints and descriptions are left out.
 */
export function renderCompactSchema(model: SchemaModel, opts: SchemaTextOptions = {}): string {
  const excluded = opts.excludeColumns ?? new Set<string>();
  const lines: string[] = [];
  for (const table of model.tables) {
    const keep = table.columns.filter((c) => !excluded.has(`${table.name}.${c.name}`));
    if (keep.length === 0) continue;
    const kept = new Set(keep.map((c) => c.name));
    const parts = keep.map((c) => {
      let text = `${c.name} ${c.type}`;
      if (table.primaryKey.includes(c.name)) text += " PK";
      const fk = table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === c.name);
      if (fk) text += ` → ${fk.refTable}.${fk.refColumns[0]}`;
      return text;
    });
    for (const fk of table.foreignKeys) {
      if (fk.columns.length > 1 && fk.columns.every((c) => kept.has(c))) parts.push(`(${fk.columns.join(", ")}) → ${fk.refTable}(${fk.refColumns.join(", ")})`);
    }
    lines.push(`${table.name}(${parts.join(", ")})`);
  }
  return lines.join("\n");
}

function tableKey(name: string): string {
  return name.toLowerCase();
}

function shortKey(name: string): string {
  const parts = name.toLowerCase().split(".");
  return parts[parts.length - 1];
}

/**
 * The tables a query needs in its prompt: the ones it reads, plus the tables on the shortest
 * foreign-key path between any two of them (the tables a join passes through). Names as in the
 * model, in model order; names the model does not know are ignored.
 */
export function relevantTables(model: SchemaModel, read: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const t of model.tables) {
    byKey.set(tableKey(t.name), t.name);
    if (!byKey.has(shortKey(t.name))) byKey.set(shortKey(t.name), t.name);
  }
  const resolve = (name: string) => byKey.get(tableKey(name)) ?? byKey.get(shortKey(name));
  const start = [...new Set(read.map(resolve).filter((n): n is string => !!n))];
  const neighbours = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (a === b) return;
    neighbours.set(a, (neighbours.get(a) ?? new Set()).add(b));
    neighbours.set(b, (neighbours.get(b) ?? new Set()).add(a));
  };
  for (const t of model.tables) for (const fk of t.foreignKeys) {
    const ref = resolve(fk.refTable);
    if (ref) link(t.name, ref);
  }
  const chosen = new Set(start);
  for (let i = 0; i < start.length; i++) {
    for (let j = i + 1; j < start.length; j++) for (const t of shortestPath(neighbours, start[i], start[j])) chosen.add(t);
  }
  return model.tables.map((t) => t.name).filter((n) => chosen.has(n));
}

function shortestPath(neighbours: Map<string, Set<string>>, from: string, to: string): string[] {
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === to) break;
    for (const next of [...(neighbours.get(at) ?? [])].sort()) {
      if (previous.has(next)) continue;
      previous.set(next, at);
      queue.push(next);
    }
  }
  if (!previous.has(to)) return [];
  const path: string[] = [];
  for (let at: string | null = to; at !== null; at = previous.get(at) ?? null) path.push(at);
  return path;
}

/** The model restricted to some tables (foreign keys to tables left out are dropped). */
export function schemaSubset(model: SchemaModel, tables: readonly string[]): SchemaModel {
  const keep = new Set(tables);
  return {
    ...model,
    tables: model.tables
      .filter((t) => keep.has(t.name))
      .map((t) => ({ ...t, foreignKeys: t.foreignKeys.filter((fk) => model.tables.some((o) => keep.has(o.name) && tableKey(o.name) === tableKey(fk.refTable))) })),
  };
}

/** The schema text of a version's prompt in a format ("relevant" is built per item from `full`). */
export function renderSchemaText(format: PromptFormat, model: SchemaModel, opts: SchemaTextOptions = {}): string {
  return format === "compact" ? renderCompactSchema(model, opts) : renderSchemaPrompt(model, opts);
}
