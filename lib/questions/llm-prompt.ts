// Prompts and answer checks for questions written by a model, and for the round trip where a model
// writes SQL back from a question alone. Pure: the jobs in server/ send and store.
import type { ChatMessage } from "@/lib/providers/chat";
import { extractJson } from "@/lib/providers/extract-json";
import { LITERAL_FREE_STYLES, STYLE_DESCRIPTIONS, type QuestionStyle } from "@/lib/questions/styles";

export const MAX_QUESTION_CHARS = 2_000;
export const QUESTIONS_SCHEMA_NAME = "written_questions";

/** One query in a request: a short reference the answer points back with, its SQL and what to write. */
export interface QuestionRequestItem {
  ref: string;
  sql: string;
  /** One style per question wanted, in order (a style may repeat: then the questions must differ). */
  styles: QuestionStyle[];
  /** Values the question must state verbatim (except in vague and metaphorical questions). */
  literals: string[];
}

export interface WrittenQuestion {
  query: string;
  style: string;
  question: string;
}

export type RejectReason = "empty" | "too_long" | "missing_literal" | "unknown_query" | "style_not_asked" | "duplicate" | "too_many";

export const REJECT_REASON_LABELS: Record<RejectReason, string> = {
  empty: "empty question",
  too_long: `longer than ${MAX_QUESTION_CHARS.toLocaleString("en-US")} characters`,
  missing_literal: "does not state a value of the SQL",
  unknown_query: "points to a query that was not asked about",
  style_not_asked: "in a style not asked for that query",
  duplicate: "same text as another question of the query",
  too_many: "more questions than asked for the query",
};

/** Structured output: {"questions": [{"query", "style", "question"}]}, written for strict decoding. */
export function questionAnswerSchema(styles: readonly QuestionStyle[]): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      questions: {
        type: "array",
        items: {
          type: "object",
          properties: {
            query: { type: "string", description: "The reference of the query, e.g. q1." },
            style: { type: "string", enum: [...new Set(styles)] },
            question: { type: "string" },
          },
          required: ["query", "style", "question"],
          additionalProperties: false,
        },
      },
    },
    required: ["questions"],
    additionalProperties: false,
  };
}

export function buildQuestionPrompt(input: { schemaText: string; items: readonly QuestionRequestItem[] }): ChatMessage[] {
  const styles = [...new Set(input.items.flatMap((i) => i.styles))];
  const system = [
    "You write the natural-language questions of a text-to-SQL dataset.",
    "For each SQL query you are given, write questions a person could ask whose exact answer is the result of that query on the database below.",
    "Rules:",
    "- A question asks for what the SQL returns: the same rows or values, the same filters, the same grouping, ordering and limit.",
    "- Say the ordering and the number of rows when the SQL has ORDER BY or LIMIT.",
    "- Speak of the data in plain words, never of SQL (no table or column names in snake_case, no keywords).",
    "- Unless the style is vague or metaphorical, state every value listed for the query exactly as written (same spelling, case and digits).",
    "- The questions of one query must all differ from each other.",
    "Styles:",
    ...styles.map((s) => `- ${s}: ${STYLE_DESCRIPTIONS[s]}`),
    'Answer with JSON only: {"questions": [{"query": "<reference>", "style": "<style>", "question": "<text>"}]}.',
  ].join("\n");
  const queries = input.items.map((item) =>
    [
      `Query ${item.ref}:`,
      item.sql,
      `Values to state: ${item.literals.length > 0 ? item.literals.map((l) => JSON.stringify(l)).join(", ") : "none"}`,
      `Write ${item.styles.length} ${item.styles.length === 1 ? "question" : "questions"}, in these styles: ${item.styles.join(", ")}.`,
    ].join("\n"),
  );
  const user = [`Database schema:\n${input.schemaText}`, ...queries].join("\n\n");
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}

/** The questions in an answer, or null when the answer holds no readable {"questions": […]}. */
export function parseQuestionAnswer(text: string): WrittenQuestion[] | null {
  const json = extractJson(text);
  const list = Array.isArray(json) ? json : typeof json === "object" && json !== null ? (json as { questions?: unknown }).questions : undefined;
  if (!Array.isArray(list)) return null;
  return list.flatMap((raw): WrittenQuestion[] => {
    if (typeof raw !== "object" || raw === null) return [];
    const { query, style, question } = raw as Record<string, unknown>;
    return [{ query: typeof query === "string" ? query.trim() : "", style: typeof style === "string" ? style.trim() : "", question: typeof question === "string" ? question : "" }];
  });
}

/** Whether a question is usable for its style: not empty, not too long, stating the literals when the style must. */
export function checkQuestion(question: string, style: QuestionStyle, literals: readonly string[]): { ok: true; question: string } | { ok: false; reason: RejectReason; detail?: string } {
  const text = question.replace(/\s+/g, " ").trim();
  if (text === "") return { ok: false, reason: "empty" };
  if (text.length >= MAX_QUESTION_CHARS) return { ok: false, reason: "too_long" };
  if (!LITERAL_FREE_STYLES.has(style)) {
    const missing = literals.find((l) => !text.includes(l));
    if (missing !== undefined) return { ok: false, reason: "missing_literal", detail: missing };
  }
  return { ok: true, question: text };
}

export interface AcceptedQuestion {
  ref: string;
  style: QuestionStyle;
  question: string;
}

export interface SortedAnswer {
  accepted: AcceptedQuestion[];
  rejected: { ref: string; reason: RejectReason; detail?: string }[];
}

/**
 * Sorts an answer's questions into the ones to keep and the rejected ones, with the reason. Each
 * query keeps at most one question per style asked (a style asked twice keeps two), none with
 * the text of a question it already has (`existing`, by ref) or of another one kept.
 */
export function sortAnswer(items: readonly QuestionRequestItem[], written: readonly WrittenQuestion[], existing: ReadonlyMap<string, ReadonlySet<string>> = new Map()): SortedAnswer {
  const byRef = new Map(items.map((i) => [i.ref, i]));
  const open = new Map(items.map((i) => [i.ref, [...i.styles]]));
  const seen = new Map(items.map((i) => [i.ref, new Set([...(existing.get(i.ref) ?? [])].map(normalize))]));
  const out: SortedAnswer = { accepted: [], rejected: [] };
  for (const w of written) {
    const item = byRef.get(w.query);
    if (!item) {
      out.rejected.push({ ref: w.query, reason: "unknown_query" });
      continue;
    }
    const styles = open.get(item.ref)!;
    const at = styles.indexOf(w.style as QuestionStyle);
    if (at === -1) {
      out.rejected.push({ ref: item.ref, reason: item.styles.includes(w.style as QuestionStyle) ? "too_many" : "style_not_asked" });
      continue;
    }
    const style = styles[at]!;
    const checked = checkQuestion(w.question, style, item.literals);
    if (!checked.ok) {
      out.rejected.push({ ref: item.ref, reason: checked.reason, ...(checked.detail !== undefined ? { detail: checked.detail } : {}) });
      continue;
    }
    const texts = seen.get(item.ref)!;
    if (texts.has(normalize(checked.question))) {
      out.rejected.push({ ref: item.ref, reason: "duplicate" });
      continue;
    }
    texts.add(normalize(checked.question));
    styles.splice(at, 1);
    out.accepted.push({ ref: item.ref, style, question: checked.question });
  }
  return out;
}

function normalize(text: string): string {
  return text.replace(/\s+/g, " ").trim().toLowerCase();
}

/** The round trip: SQL from the schema and the question alone, nothing else of the pair. */
export function buildRoundTripPrompt(schemaText: string, question: string): ChatMessage[] {
  return [
    {
      role: "system",
      content:
        "You translate questions about a database into one DuckDB SQL query. Use only the tables and columns of the schema. " +
        "Answer with the query alone in a ```sql block, no explanation.",
    },
    { role: "user", content: `Database schema:\n${schemaText}\n\nQuestion: ${question}` },
  ];
}
