// The prompt that travels with a dataset version: used in every export and in evaluation, so a model
// is trained and tested on exactly the same instructions, schema text and message layout.

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
